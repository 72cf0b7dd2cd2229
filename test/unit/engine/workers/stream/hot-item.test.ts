/**
 * Concurrent writes to one stored item on SQLite storage: they take their place in call order and
 * share a storage batch (the item's lock is held until a write is queued, not until it commits),
 * with read-modify-write still atomic and the events in call order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineStorage } from '../../../../../src/engine/core/types';
import { openStorage } from '../../../../../src/engine/storage';
import { DEFAULT_EVENT_LOG } from '../../../../../src/engine/workers/stream/config';
import { StreamEventLog } from '../../../../../src/engine/workers/stream/event-log';
import { registerStreamFunctions } from '../../../../../src/engine/workers/stream/functions';
import { StreamOperations } from '../../../../../src/engine/workers/stream/operations';
import { StreamStore } from '../../../../../src/engine/workers/stream/store';
import type { StreamChangeEvent, StreamFrame } from '../../../../../src/engine/workers/stream/types';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

const item = { stream_name: 's', group_id: 'g', item_id: 'hot' };
let directory: string;
let storage: EngineStorage;
let ctx: FakeEngineContext;
let events: Array<StreamFrame<StreamChangeEvent>>;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-hot-item-'));
  storage = openStorage({ kind: 'sqlite', directory });
  ctx = new FakeEngineContext({ storage });
  events = [];
  const log = new StreamEventLog(storage.database, DEFAULT_EVENT_LOG);
  registerStreamFunctions(ctx, new StreamOperations({ context: ctx, store: new StreamStore(ctx.kv), log, publish: (f) => events.push(f) }));
});

afterEach(async () => {
  await storage.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

const dataOf = (frame: StreamFrame<StreamChangeEvent>): unknown => (frame.event as { data?: unknown }).data;

describe('concurrent writes to one item (SQLite storage)', () => {
  it('share one commit: every event is published before the first write is acknowledged', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => ctx.call('stream::set', { ...item, data: { n: i } }));
    const publishedAtFirstAck = await writes[0]?.then(() => events.length);
    await Promise.all(writes);
    expect(publishedAtFirstAck).toBe(20);
    expect(events.map(dataOf)).toEqual(Array.from({ length: 20 }, (_, i) => ({ n: i })));
    expect(events.map((e) => e.event.type)).toEqual(['create', ...Array<string>(19).fill('update')]);
  });

  it('keeps call order and atomic updates across sets, updates and deletes', async () => {
    const increment = (): Promise<unknown> => ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 1 }] });
    const calls = [
      ctx.call('stream::set', { ...item, data: { n: 10 } }),
      increment(),
      increment(),
      ctx.call('stream::delete', item),
      increment(),
      ctx.call('stream::set', { ...item, data: { n: 0 } }),
      increment(),
    ];
    const results = await Promise.all(calls);
    expect(results[3]).toEqual({ old_value: { n: 12 } });
    expect(results[4]).toEqual({ old_value: null, new_value: { n: 1 } });
    expect(results[6]).toEqual({ old_value: { n: 0 }, new_value: { n: 1 } });
    await expect(ctx.call('stream::get', item)).resolves.toEqual({ n: 1 });
    expect(events.map((e) => [e.event.type, dataOf(e)])).toEqual([
      ['create', { n: 10 }],
      ['update', { n: 11 }],
      ['update', { n: 12 }],
      ['delete', { n: 12 }],
      ['create', { n: 1 }],
      ['update', { n: 0 }],
      ['update', { n: 1 }],
    ]);
  });

  it('rejects every write of a failed batch and publishes none of them', async () => {
    await ctx.call('stream::set', { ...item, data: { n: 1 } });
    events.length = 0;
    // The table refuses updates from here on: the batch holding both writes fails at its commit.
    const writes = [
      ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 1 }] }),
      ctx.call('stream::set', { ...item, data: { n: 5 } }),
    ];
    storage.database.exec('CREATE TRIGGER fail_kv BEFORE UPDATE ON kv BEGIN SELECT RAISE(ABORT, "refused"); END');
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(events).toEqual([]);
    storage.database.exec('DROP TRIGGER fail_kv');
    await expect(ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 1 }] })).resolves.toEqual({
      old_value: { n: 1 },
      new_value: { n: 2 },
    });
  });
});
