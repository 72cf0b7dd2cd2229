import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineStorage, EngineWorker } from '../../../../../src/engine/core/types';
import { openStorage } from '../../../../../src/engine/storage';
import { createStateWorker } from '../../../../../src/engine/workers/state';
import { parseTriggerConfig } from '../../../../../src/engine/workers/state/triggers';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

describe('state trigger type', () => {
  let ctx: FakeEngineContext;
  let worker: EngineWorker;

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    ctx = new FakeEngineContext();
    worker = createStateWorker(config);
    await worker.start(ctx);
  }

  function call(id: string, data: unknown): Promise<unknown> {
    return ctx.invoke(id, data);
  }

  beforeEach(() => start());

  afterEach(async () => {
    await worker.stop();
    await ctx.storage.close();
  });

  it('delivers state:created with old_value null on the first set', async () => {
    await ctx.addTrigger('state', 't1', { scope: 's', key: 'k' });
    await call('state::set', { scope: 's', key: 'k', value: { v: 1 } });
    expect(ctx.fired).toEqual([
      {
        triggerIds: ['t1'],
        triggers: [expect.objectContaining({ id: 't1' })],
        payload: { type: 'state', event_type: 'state:created', scope: 's', key: 'k', old_value: null, new_value: { v: 1 } },
        options: undefined,
      },
    ]);
  });

  it('delivers state:updated with both values on an overwrite', async () => {
    await call('state::set', { scope: 's', key: 'k', value: { v: 1 } });
    await ctx.addTrigger('state', 't1', { scope: 's', key: 'k' });
    await call('state::set', { scope: 's', key: 'k', value: { v: 2 } });
    expect(ctx.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:updated', scope: 's', key: 'k', old_value: { v: 1 }, new_value: { v: 2 } },
    ]);
  });

  it('delivers state:deleted with new_value null', async () => {
    await call('state::set', { scope: 's', key: 'k', value: { v: 2 } });
    await ctx.addTrigger('state', 't1', {});
    await call('state::delete', { scope: 's', key: 'k' });
    expect(ctx.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:deleted', scope: 's', key: 'k', old_value: { v: 2 }, new_value: null },
    ]);
  });

  it('fires state:deleted even when the key did not exist', async () => {
    await ctx.addTrigger('state', 't1', {});
    await call('state::delete', { scope: 's', key: 'never' });
    expect(ctx.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:deleted', scope: 's', key: 'never', old_value: null, new_value: null },
    ]);
  });

  it('fires created then updated for updates, with the update result as new_value', async () => {
    await ctx.addTrigger('state', 't1', { scope: 's' });
    await call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 2 }] });
    await call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 3 }] });
    expect(ctx.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:created', scope: 's', key: 'k', old_value: null, new_value: { n: 2 } },
      { type: 'state', event_type: 'state:updated', scope: 's', key: 'k', old_value: { n: 2 }, new_value: { n: 5 } },
    ]);
  });

  it('fires state:created for an update whose ops all failed on a missing key', async () => {
    await ctx.addTrigger('state', 't1', {});
    await call('state::update', { scope: 's', key: 'k', ops: [{ type: 'merge', value: 1 }] });
    expect(ctx.fired.map((f) => (f.payload as { event_type: string }).event_type)).toEqual(['state:created']);
  });

  it('matches on exact scope and key filters, in registration order', async () => {
    await ctx.addTrigger('state', 'any', {});
    await ctx.addTrigger('state', 'scope-only', { scope: 's' });
    await ctx.addTrigger('state', 'key-only', { key: 'k' });
    await ctx.addTrigger('state', 'both', { scope: 's', key: 'k' });
    await ctx.addTrigger('state', 'other-scope', { scope: 'x' });
    await ctx.addTrigger('state', 'other-key', { scope: 's', key: 'x' });
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    await call('state::set', { scope: 'x', key: 'k', value: 1 });
    expect(ctx.fired.map((f) => f.triggerIds)).toEqual([
      ['any', 'scope-only', 'key-only', 'both'],
      ['any', 'key-only', 'other-scope'],
    ]);
  });

  it('treats a null config and null filters as match-all', async () => {
    await ctx.addTrigger('state', 'null-config', null);
    await ctx.addTrigger('state', 'null-filter', { scope: null, key: null });
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    expect(ctx.fired.map((f) => f.triggerIds)).toEqual([['null-config', 'null-filter']]);
  });

  it('leaves the condition to fire, passing the trigger record with its config', async () => {
    await ctx.addTrigger('state', 't1', { scope: 's', condition_function_id: 'cond::fn' });
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    expect(ctx.fired.map((f) => f.triggers.map((t) => t.config))).toEqual([[{ scope: 's', condition_function_id: 'cond::fn' }]]);
  });

  it('does not fire when no trigger matches', async () => {
    await ctx.addTrigger('state', 't1', { scope: 'other' });
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    expect(ctx.fired).toEqual([]);
  });

  it('replaces a binding re-registered with the same id', async () => {
    await ctx.addTrigger('state', 't1', { scope: 'old' });
    await ctx.addTrigger('state', 't1', { scope: 'new' });
    await call('state::set', { scope: 'old', key: 'k', value: 1 });
    await call('state::set', { scope: 'new', key: 'k', value: 1 });
    expect(ctx.fired.map((f) => [f.triggerIds, (f.payload as { scope: string }).scope])).toEqual([[['t1'], 'new']]);
  });

  it('stops firing after unregister', async () => {
    const record = await ctx.addTrigger('state', 't1', {});
    await ctx.triggerTypes.get('state')?.provider.unregister(record);
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    expect(ctx.fired).toEqual([]);
  });

  it('fires nothing for a failed write', async () => {
    await ctx.addTrigger('state', 't1', {});
    await expect(call('state::update', { scope: 's', key: 'k', ops: [{ type: 'nope' }] })).rejects.toThrow();
    await expect(call('state::set', { scope: 's', key: 'k' })).rejects.toThrow();
    expect(ctx.fired).toEqual([]);
  });

  it('fires nothing when triggers_enabled is false', async () => {
    await worker.stop();
    await ctx.storage.close();
    await start({ triggers_enabled: false });
    await ctx.addTrigger('state', 't1', {});
    await call('state::set', { scope: 's', key: 'k', value: 1 });
    await call('state::delete', { scope: 's', key: 'k' });
    expect(ctx.fired).toEqual([]);
  });

  it.each([
    ['a string', 'scope-s'],
    ['a list', ['s']],
    ['a numeric scope', { scope: 1 }],
    ['a numeric key', { key: false }],
    ['a numeric condition', { condition_function_id: 7 }],
  ])('refuses %s as config with "Failed to parse trigger config"', async (_name, config) => {
    await expect(ctx.addTrigger('state', 'bad', config)).rejects.toThrow(/^Failed to parse trigger config: /);
  });

  it('parses the filters of a config', () => {
    expect(parseTriggerConfig({ scope: 's', key: 'k', extra: 1 })).toEqual({ scope: 's', key: 'k' });
  });
});

describe.each(['memory', 'sqlite'] as const)('state event order for one key (%s storage)', (kind) => {
  let directory: string | undefined;
  let storage: EngineStorage;
  let ctx: FakeEngineContext;
  let worker: EngineWorker;

  beforeEach(async () => {
    if (kind === 'sqlite') {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-state-order-'));
      storage = openStorage({ kind, directory });
    } else {
      storage = openStorage({ kind });
    }
    ctx = new FakeEngineContext({ storage });
    worker = createStateWorker({});
    await worker.start(ctx);
    await ctx.addTrigger('state', 't1', { scope: 's', key: 'k' });
  });

  afterEach(async () => {
    await worker.stop();
    await storage.close();
    if (directory !== undefined) fs.rmSync(directory, { recursive: true, force: true });
  });

  it('fires the events of concurrent writes in the order the writes were applied', async () => {
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 30; i++) {
      writes.push(
        i % 3 === 2
          ? ctx.invoke('state::set', { scope: 's', key: 'k', value: { n: 1000 + i } })
          : ctx.invoke('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 1 }] }),
      );
    }
    await Promise.all(writes);
    const events = ctx.fired.map((f) => f.payload as { old_value: unknown; new_value: unknown });
    expect(events).toHaveLength(30);
    // Each event starts where the previous one ended: no write is missed or reordered.
    for (let i = 1; i < events.length; i++) expect(events[i]?.old_value).toEqual(events[i - 1]?.new_value);
    expect(events[29]?.new_value).toEqual(await ctx.invoke('state::get', { scope: 's', key: 'k' }));
  });
});
