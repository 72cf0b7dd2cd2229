/**
 * The idempotency scope of a reaction: each invocation's state writes get keys of their own
 * (reaction, change seq, n-th write), concurrent invocations never share a counter, and the
 * scope still works after the process went idle between reactions (the storage is switched off
 * while no reaction runs).
 */
import { nextIdempotencyKey, reactionInvoker } from '../../../../src/framework/state/reaction-scope';

const supported = { idempotentStateWrites: true };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A reaction that makes `writes` keyed writes across awaits and returns their keys. */
const reaction = (writes: number) => async (): Promise<Array<string | undefined>> => {
  const keys: Array<string | undefined> = [];
  for (let i = 0; i < writes; i++) {
    await tick();
    keys.push(nextIdempotencyKey());
  }
  return keys;
};

describe('reaction idempotency scope', () => {
  it('numbers the writes of each invocation by its change, also when invocations overlap', async () => {
    const invoke = reactionInvoker('metrics::count', { scope: 'todos' }, reaction(3), supported);
    const [a, b] = (await Promise.all([invoke({ seq: 7 }), invoke({ seq: 8 })])) as [string[], string[]];
    expect(a).toHaveLength(3);
    expect(a.map((key) => key.replace(/^reaction:[^:]+:/, ''))).toEqual(['7#0', '7#1', '7#2']);
    expect(b.map((key) => key.replace(/^reaction:[^:]+:/, ''))).toEqual(['8#0', '8#1', '8#2']);
  });

  it('gives the same keys to a redelivered change, and keys again after the process was idle', async () => {
    const invoke = reactionInvoker('metrics::count', { scope: 'todos' }, reaction(2), supported);
    const first = await invoke({ seq: 1 });
    expect(nextIdempotencyKey()).toBeUndefined();
    await tick();
    const again = await invoke({ seq: 1 });
    expect(again).toEqual(first);
    expect((first as string[]).every((key) => typeof key === 'string')).toBe(true);
  });

  it('leaves writes outside reactions, or without a change seq, unkeyed', async () => {
    expect(nextIdempotencyKey()).toBeUndefined();
    const invoke = reactionInvoker('metrics::count', { scope: 'todos' }, reaction(1), supported);
    await expect(invoke({ no: 'seq' })).resolves.toEqual([undefined]);
    const unsupported = reactionInvoker('metrics::count', { scope: 'todos' }, reaction(1), { idempotentStateWrites: false });
    await expect(unsupported({ seq: 3 })).resolves.toEqual([undefined]);
  });

  it('releases the scope when the reaction throws', async () => {
    const failing = reactionInvoker('x::y', null, () => Promise.reject(new Error('boom')), supported);
    await expect(failing({ seq: 1 })).rejects.toThrow('boom');
    const invoke = reactionInvoker('x::y', null, reaction(1), supported);
    await expect(invoke({ seq: 2 })).resolves.toEqual([expect.stringMatching(/:2#0$/)]);
  });
});
