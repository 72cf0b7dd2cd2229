/**
 * Resumable subscriptions on the stream port, through real sockets: per-group `seq` and item
 * `version` on frames, `since` replay, the `gap` sync, the path-form URL, and continuity across a
 * restart on the same SQLite file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineStorage, EngineWorker } from '../../../../../src/engine/core/types';
import { openStorage } from '../../../../../src/engine/storage';
import { createStreamWorker } from '../../../../../src/engine/workers/stream';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';
import { waitFor } from '../../../../support/wait';
import { StreamTestClient, type Frame } from './ws-client';

let directory: string;
let storage: EngineStorage;
let ctx: FakeEngineContext;
let worker: EngineWorker;
let url: string;
const clients: StreamTestClient[] = [];

/** Starts the worker on the SQLite file in `directory` (reopened, when it exists). */
async function start(config: Record<string, unknown> = {}): Promise<void> {
  storage = openStorage({ kind: 'sqlite', directory });
  ctx = new FakeEngineContext({ storage });
  worker = createStreamWorker({ port: 0, host: '127.0.0.1', ...config });
  await worker.start(ctx);
  url = worker.url?.() as string;
}

async function stop(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await worker.stop();
  await storage.close();
}

async function connect(suffix = ''): Promise<StreamTestClient> {
  const client = await StreamTestClient.open(url + suffix);
  clients.push(client);
  return client;
}

function set(item: string, data: unknown, group = 'g'): Promise<unknown> {
  return ctx.call('stream::set', { stream_name: 's', group_id: group, item_id: item, data });
}

function remove(item: string, group = 'g'): Promise<unknown> {
  return ctx.call('stream::delete', { stream_name: 's', group_id: group, item_id: item });
}

/** What a client holds after applying frames the way a live view does (items keyed by id). */
function apply(frames: Frame[], items = new Map<string, unknown>()): Map<string, unknown> {
  for (const frame of frames) {
    const event = frame.event as { type: string; data?: unknown };
    if (event.type === 'sync') {
      items.clear();
      for (const value of event.data as Array<{ id: string }>) items.set(value.id, value);
    } else if (event.type === 'delete') items.delete(frame.id as string);
    else if (event.type === 'create' || event.type === 'update') items.set(frame.id as string, event.data);
  }
  return items;
}

async function serverItems(group = 'g'): Promise<Map<string, unknown>> {
  const values = (await ctx.call('stream::list', { stream_name: 's', group_id: group })) as Array<{ id: string }>;
  return new Map(values.map((value) => [value.id, value]));
}

/** Each item's first event after the sync changes it from its state in the sync (none is already in it). */
function expectOnlyNewerThan(sync: Frame, events: Frame[]): void {
  const snapshot = apply([sync]) as Map<string, { round: number }>;
  const seen = new Set<string>();
  for (const frame of events) {
    const id = frame.id as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const had = snapshot.get(id);
    const event = frame.event as { type: string; data: { round: number } };
    if (event.type === 'create') expect([id, had]).toEqual([id, undefined]);
    else expect([id, had?.round]).toEqual([id, expect.any(Number)]);
    if (event.type === 'update') expect(event.data.round).toBeGreaterThan(had?.round ?? Infinity);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * 1,000 writes, 20 at a time, over 100 items: each write is exactly one event (rounds of create,
 * update, delete per item).
 */
async function thousandWrites(): Promise<void> {
  for (let chunk = 0; chunk < 50; chunk++) {
    const writes: Array<Promise<unknown>> = [];
    for (let i = chunk * 20; i < chunk * 20 + 20; i++) {
      const id = `item-${i % 100}`;
      const round = Math.floor(i / 100);
      writes.push(round % 3 === 2 ? remove(id) : set(id, { id, round }));
    }
    await Promise.all(writes);
  }
}

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-stream-resume-'));
});

afterEach(async () => {
  await stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('resuming a subscription', () => {
  it('resumes a client cut off during 1,000 writes with no event missed and none doubled', async () => {
    await start();
    const first = await connect();
    first.join('all', 's', 'g');
    const [sync] = await first.received(1);
    const writes = thousandWrites();
    await waitFor(() => first.frames.length > 300, 10_000);
    await first.close(); // the socket is killed mid-burst
    const before = [...first.frames];
    const last = before[before.length - 1] as Frame;
    expect(last.seq).toBeLessThan(1000);

    const second = await connect();
    second.resume('all', 's', 'g', { since: last.seq, epoch: sync?.epoch });
    await writes;
    await second.received(1000 - (last.seq as number), 10_000);

    const seqs = [...before.slice(1), ...second.frames].map((f) => f.seq);
    expect(seqs).toEqual(range(1, 1000));
    expect(second.frames.some((f) => f.event.type === 'sync')).toBe(false);
    expect(apply([...before, ...second.frames])).toEqual(await serverItems());
  }, 30_000);

  it('sends a sync at the position of its snapshot, then only the events after it, while writes are in flight', async () => {
    await start();
    const writes = thousandWrites();
    const client = await connect();
    await waitFor(() => (ctx.storage.database.prepare('SELECT last_seq FROM stream_log_groups').get() ?? null) !== null);
    client.join('all', 's', 'g');
    await writes;
    const [sync] = await client.received(1);
    const position = sync?.seq as number;
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThan(1000);
    await client.received(1 + 1000 - position, 10_000);
    expect(client.frames.slice(1).map((f) => f.seq)).toEqual(range(position + 1, 1000));
    expectOnlyNewerThan(sync as Frame, client.frames.slice(1));
    expect(apply(client.frames)).toEqual(await serverItems());
  });

  it('answers a position retention no longer covers with a fresh sync marked gap', async () => {
    await start({ event_log: { max_events: 10 } });
    await set('a', { id: 'a', n: 0 });
    const first = await connect();
    first.join('all', 's', 'g');
    const [sync] = await first.received(1);
    expect(sync).toMatchObject({ seq: 1, epoch: expect.any(String) as unknown });
    await first.close();
    for (let n = 1; n <= 30; n++) await set(`i${n % 3}`, { id: `i${n % 3}`, n });

    const second = await connect();
    second.resume('all', 's', 'g', { since: 1, epoch: sync?.epoch });
    const [gap] = await second.received(1);
    expect(gap).toMatchObject({ id: null, seq: 31, epoch: sync?.epoch, gap: true, event: { type: 'sync' } });
    expect(apply([gap as Frame])).toEqual(await serverItems());
    await set('a', { id: 'a', n: 99 });
    const [, live] = await second.received(2);
    expect(live).toMatchObject({ id: 'a', seq: 32, version: 2, event: { type: 'update' } });
  });

  it('answers a position from the future, another epoch or a malformed since with a gap sync, and an up-to-date one with nothing', async () => {
    await start();
    await set('a', { id: 'a' });
    const epoch = (await connect().then(async (c) => (c.join('x', 's', 'g'), (await c.received(1))[0]))).epoch;
    // One connection per subscription: a connection may not subscribe to one group twice.
    const [future, other, garbled, current] = await Promise.all([connect(), connect(), connect(), connect()]);
    future.resume('future', 's', 'g', { since: 99, epoch });
    other.resume('other', 's', 'g', { since: 1, epoch: 'another-incarnation' });
    garbled.resume('garbled', 's', 'g', { since: 'soon', epoch });
    current.resume('current', 's', 'g', { since: 1, epoch });
    const syncs = await Promise.all([future, other, garbled].map(async (client) => (await client.received(1))[0] as Frame));
    expect(syncs.map((f) => [f.event.type, f.gap, f.seq])).toEqual([
      ['sync', true, 1],
      ['sync', true, 1],
      ['sync', true, 1],
    ]);
    await set('b', { id: 'b' });
    // Every subscription gets the change, and the up-to-date one no sync before it.
    const changes = await Promise.all([future, other, garbled].map(async (client) => (await client.received(2))[1] as Frame));
    expect(changes.map((f) => [f.event.type, f.seq])).toEqual(range(1, 3).map(() => ['create', 2]));
    expect((await current.received(1)).map((f) => [f.event.type, f.seq])).toEqual([['create', 2]]);
  });

  it('replays only the item of an item subscription', async () => {
    await start();
    await set('a', { id: 'a', n: 1 });
    await set('b', { id: 'b', n: 1 });
    await set('a', { id: 'a', n: 2 });
    const client = await connect();
    client.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 'a', streamName: 's', groupId: 'g', id: 'a', since: 0 } }));
    const frames = await client.received(2);
    expect(frames.map((f) => [f.id, f.seq, f.version])).toEqual([
      ['a', 1, 1],
      ['a', 3, 2],
    ]);
  });

  it('keeps seq, version and epoch across a restart on the same SQLite file', async () => {
    await start();
    await set('a', { id: 'a', n: 1 });
    await set('a', { id: 'a', n: 2 });
    await set('b', { id: 'b', n: 1 });
    const before = await connect();
    before.join('all', 's', 'g');
    const [sync] = await before.received(1);
    expect(sync?.seq).toBe(3);
    await stop();

    await start();
    const after = await connect();
    after.resume('all', 's', 'g', { since: 1, epoch: sync?.epoch });
    await set('a', { id: 'a', n: 3 });
    const frames = await after.received(3);
    expect(frames.map((f) => [f.id, f.seq, f.version, f.event.type])).toEqual([
      ['a', 2, 2, 'update'],
      ['b', 3, 1, 'create'],
      ['a', 4, 3, 'update'],
    ]);
    const fresh = await connect();
    fresh.join('item', 's', 'g', 'a');
    const [itemSync] = await fresh.received(1);
    expect(itemSync).toMatchObject({ seq: 4, version: 3, epoch: sync?.epoch, event: { type: 'sync', data: { id: 'a', n: 3 } } });
  });
});

describe('the path-form URL /stream/{stream_name}/{group_id}', () => {
  it('joins that group on connect: a sync, then its events', async () => {
    await start();
    await set('a', { id: 'a' });
    await set('x', { id: 'x' }, 'other');
    const client = await connect('/stream/s/g');
    const [sync] = await client.received(1);
    expect(sync).toMatchObject({ streamName: 's', groupId: 'g', id: null, seq: 1, event: { type: 'sync', data: [{ id: 'a' }] } });
    await set('x', { id: 'x', n: 2 }, 'other');
    await set('b', { id: 'b' });
    const [, created] = await client.received(2);
    expect(created).toMatchObject({ groupId: 'g', id: 'b', seq: 2, event: { type: 'create' } });
  });

  it('decodes escaped names and resumes from since/epoch in the query', async () => {
    await start();
    await set('a', { id: 'a' }, 'g/1');
    await set('b', { id: 'b' }, 'g/1');
    const { epoch } = ((await (await connect('/stream/s/g%2F1')).received(1))[0] ?? {}) as Frame;
    const client = await connect(`/stream/s/g%2F1?since=1&epoch=${String(epoch)}`);
    const [replayed] = await client.received(1);
    expect(replayed).toMatchObject({ streamName: 's', groupId: 'g/1', id: 'b', seq: 2, event: { type: 'create' } });
  });

  it('refuses other paths under /stream with 404', async () => {
    await start();
    await expect(connect('/stream/s')).rejects.toThrow(/404/);
    await expect(connect('/stream/s/g/item')).rejects.toThrow(/404/);
    await expect(connect('/stream/%E0%A4%A/g')).rejects.toThrow(/404/);
  });
});
