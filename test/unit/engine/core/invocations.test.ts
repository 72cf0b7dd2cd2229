import { EngineError } from '../../../../src/engine/core/errors';
import { InvocationTable } from '../../../../src/engine/core/invocations';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One pending call: its outcome is recorded when the table settles or halts it. */
function pending(
  target: string,
  caller?: string,
): { entry: Parameters<InvocationTable['add']>[0]; outcome: { value?: unknown; error?: EngineError } } {
  const outcome: { value?: unknown; error?: EngineError } = {};
  return {
    outcome,
    entry: {
      functionId: 'f',
      targetWorkerId: target,
      ...(caller !== undefined && { callerWorkerId: caller }),
      resolve: (value) => (outcome.value = value),
      reject: (error) => (outcome.error = error),
    },
  };
}

describe('InvocationTable', () => {
  it('records under fresh UUIDs and settles each once, from its target connection only', () => {
    const table = new InvocationTable();
    const a = pending('w1');
    const b = pending('w1');
    const idA = table.add(a.entry);
    const idB = table.add(b.entry);
    expect(idA).toMatch(UUID_V4);
    expect(idB).not.toBe(idA);
    expect(table.settle(idA, 'w2', { result: 'spoofed' })).toBe(false);
    expect(table.settle(idA, 'w1', { result: 1 })).toBe(true);
    expect(a.outcome).toEqual({ value: 1 });
    expect(table.settle(idA, 'w1', { result: 2 })).toBe(false);
    expect(table.has(idA)).toBe(false);
    expect(table.has(idB)).toBe(true);
    const error = new EngineError('invocation_failed', 'failed');
    expect(table.settle(idB, 'w1', { error })).toBe(true);
    expect(b.outcome).toEqual({ error });
  });

  it('drops a result whose id shares a pending id’s first 32 bits but not the rest', () => {
    const table = new InvocationTable();
    const call = pending('w1');
    const id = table.add(call.entry);
    const lookalike = `${id.slice(0, 9)}${id[9] === '0' ? '1' : '0'}${id.slice(10)}`;
    expect(table.settle(lookalike, 'w1', { result: 'x' })).toBe(false);
    expect(table.settle('not-a-uuid', 'w1', { result: 'x' })).toBe(false);
    expect(call.outcome).toEqual({});
    expect(table.has(id)).toBe(true);
  });

  it('reuses a caller’s id while it is free and picks a fresh one when it is pending', () => {
    const table = new InvocationTable();
    const requested = '7d0c7d0c-0000-4000-8000-000000000001';
    const first = pending('w1');
    expect(table.add(first.entry, requested)).toBe(requested);
    const second = pending('w1');
    const other = table.add(second.entry, requested);
    expect(other).not.toBe(requested);
    // An engine-made id requested again while pending is not reused either.
    expect(table.add(pending('w1').entry, other)).not.toBe(other);
    expect(table.settle(requested, 'w1', { result: 'first' })).toBe(true);
    expect(table.settle(other, 'w1', { result: 'second' })).toBe(true);
    expect([first.outcome.value, second.outcome.value]).toEqual(['first', 'second']);
    expect(table.add(pending('w1').entry, requested)).toBe(requested);
  });

  it('keeps thousands of pending calls apart while it grows, settled in any order', () => {
    const table = new InvocationTable();
    const calls = Array.from({ length: 3_000 }, (_, i) => ({ ...pending('w1'), i }));
    const ids = calls.map((call) => table.add(call.entry));
    expect(new Set(ids).size).toBe(ids.length);
    const order = calls.map((_, i) => (i * 7_919) % calls.length);
    for (const i of order) expect(table.settle(ids[i] as string, 'w1', { result: i })).toBe(true);
    expect(calls.every((call) => call.outcome.value === call.i)).toBe(true);
    expect(table.activeFor('w1')).toBe(0);
  });

  it('halts what a connection executes or initiated, and counts what it executes', () => {
    const table = new InvocationTable();
    const executed = pending('w1');
    const initiated = pending('w2', 'w1');
    const unrelated = pending('w2', 'w3');
    const chosen = pending('w1');
    table.add(executed.entry);
    table.add(initiated.entry);
    const unrelatedId = table.add(unrelated.entry);
    table.add(chosen.entry, '7d0c7d0c-0000-4000-8000-000000000002');
    expect(table.activeFor('w1')).toBe(2);
    expect(table.activeFor('w2')).toBe(2);
    expect(table.haltFor('w1')).toBe(3);
    for (const call of [executed, initiated, chosen]) expect(call.outcome.error?.code).toBe('invocation_stopped');
    expect(unrelated.outcome).toEqual({});
    expect(table.has(unrelatedId)).toBe(true);
    table.haltAll();
    expect(unrelated.outcome.error?.code).toBe('invocation_stopped');
    expect(table.has(unrelatedId)).toBe(false);
  });
});
