/**
 * `StreamClient` / `LiveGroup` resuming against the embedded engine's stream server on a real
 * socket: after a reconnect they ask for what they missed (`since`) instead of a full sync.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { LiveGroup, StreamClient, type StreamMessage } from '../../../src/client';
import type { EngineStorage, EngineWorker } from '../../../src/engine/core/types';
import { openStorage } from '../../../src/engine/storage';
import { createStreamWorker } from '../../../src/engine/workers/stream';
import { FakeEngineContext } from '../../fakes/fake-engine-context';
import { waitFor } from '../../support/wait';

interface Item {
  id: string;
  round: number;
}

let directory: string;
let storage: EngineStorage;
let ctx: FakeEngineContext;
let worker: EngineWorker;
let client: StreamClient;
/** Every socket the client opened, newest last. */
let sockets: WebSocket[];
/** While set, the client's connection attempts fail (as if the network were down). */
let offline: boolean;

async function start(config: Record<string, unknown> = {}): Promise<void> {
  storage = openStorage({ kind: 'sqlite', directory });
  ctx = new FakeEngineContext({ storage });
  worker = createStreamWorker({ port: 0, host: '127.0.0.1', ...config });
  await worker.start(ctx);
  const url = worker.url?.() as string;
  class RecordingWebSocket extends WebSocket {
    constructor(target: string) {
      // Port 1 on loopback refuses the connection at once.
      super(offline ? 'ws://127.0.0.1:1' : target);
      sockets.push(this);
    }
  }
  client = new StreamClient(url, { WebSocket: RecordingWebSocket, reconnect: { initialDelayMs: 10, maxDelayMs: 40 } });
}

function set(id: string, round: number): Promise<unknown> {
  return ctx.call('stream::set', { stream_name: 's', group_id: 'g', item_id: id, data: { id, round } });
}

function remove(id: string): Promise<unknown> {
  return ctx.call('stream::delete', { stream_name: 's', group_id: 'g', item_id: id });
}

async function serverItems(): Promise<Map<string, Item>> {
  const values = (await ctx.call('stream::list', { stream_name: 's', group_id: 'g' })) as Item[];
  return new Map(values.map((value) => [value.id, value]));
}

/** A group's frames as one local subscriber sees them. */
function record(): StreamMessage<Item>[] {
  const frames: StreamMessage<Item>[] = [];
  client.join<Item>({ stream: 's', group: 'g' }, { onMessage: (message) => void frames.push(message) });
  return frames;
}

function changes(frames: StreamMessage<Item>[]): number[] {
  return frames.filter((f) => f.event.type !== 'sync').map((f) => f.seq as number);
}

function syncs(frames: StreamMessage<Item>[]): StreamMessage<Item>[] {
  return frames.filter((f) => f.event.type === 'sync');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-client-resume-'));
  sockets = [];
  offline = false;
});

afterEach(async () => {
  client.close();
  await worker.stop();
  await storage.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('StreamClient resume', () => {
  it('a LiveGroup cut off during 1,000 writes resumes by itself: none missed, none doubled, no reload', async () => {
    await start();
    const frames = record();
    const live = new LiveGroup<Item>(client, { stream: 's', group: 'g' });
    await live.subscription.synced;
    await waitFor(() => syncs(frames).length > 0);
    const syncsBefore = syncs(frames).length;

    const writes = (async () => {
      for (let chunk = 0; chunk < 50; chunk++) {
        const batch: Array<Promise<unknown>> = [];
        for (let i = chunk * 20; i < chunk * 20 + 20; i++) {
          const id = `item-${i % 100}`;
          const round = Math.floor(i / 100);
          batch.push(round % 3 === 2 ? remove(id) : set(id, round));
        }
        await Promise.all(batch);
      }
    })();
    await waitFor(() => changes(frames).length > 300, 10_000);
    sockets[sockets.length - 1]?.terminate(); // the socket is killed mid-burst
    await writes;
    await waitFor(() => changes(frames).length >= 1000, 10_000);

    expect(sockets.length).toBeGreaterThan(1);
    expect(changes(frames)).toEqual(range(1, 1000));
    expect(syncs(frames)).toHaveLength(syncsBefore);
    expect(live.items).toEqual(await serverItems());
  }, 30_000);

  it('replays what changed while it was offline, without a sync', async () => {
    await start();
    await set('a', 0);
    const frames = record();
    const live = new LiveGroup<Item>(client, { stream: 's', group: 'g' });
    await live.subscription.synced;
    await waitFor(() => syncs(frames).length > 0);
    const syncsBefore = syncs(frames).length;

    offline = true;
    sockets[sockets.length - 1]?.terminate();
    await waitFor(() => client.status === 'reconnecting');
    await set('a', 1);
    await set('b', 1);
    await remove('a');
    offline = false;

    await waitFor(() => changes(frames).length === 3);
    expect(frames.slice(-3).map((f) => [f.id, f.event.type, f.seq])).toEqual([
      ['a', 'update', 2],
      ['b', 'create', 3],
      ['a', 'delete', 4],
    ]);
    expect(syncs(frames)).toHaveLength(syncsBefore);
    expect(live.items).toEqual(await serverItems());
  });

  it('takes the fresh sync marked gap when the server no longer has every missed event', async () => {
    await start({ event_log: { max_events: 5 } });
    await set('a', 0);
    const frames = record();
    const live = new LiveGroup<Item>(client, { stream: 's', group: 'g' });
    await live.subscription.synced;

    offline = true;
    sockets[sockets.length - 1]?.terminate();
    await waitFor(() => client.status === 'reconnecting');
    for (let n = 1; n <= 20; n++) await set(`i${n % 4}`, n);
    await remove('a');
    offline = false;

    await waitFor(() => frames.some((f) => f.gap === true));
    expect(frames[frames.length - 1]).toMatchObject({ event: { type: 'sync' }, gap: true, seq: 22 });
    expect(live.items).toEqual(await serverItems());
    // And it resumes from the gap sync's position next time.
    await set('i1', 99);
    await waitFor(() => live.items.get('i1')?.round === 99);
    expect(frames[frames.length - 1]).toMatchObject({ id: 'i1', seq: 23 });
  });

  it('delivers each missed change once to a group and an item subscriber resuming on one connection', async () => {
    await start();
    await set('a', 0);
    const group = record();
    const item: StreamMessage<Item>[] = [];
    const itemSub = client.join<Item>({ stream: 's', group: 'g', item: 'a' }, { onMessage: (message) => void item.push(message) });
    await itemSub.synced;
    await waitFor(() => syncs(group).length > 0);

    offline = true;
    sockets[sockets.length - 1]?.terminate();
    await waitFor(() => client.status === 'reconnecting');
    await set('a', 1);
    await set('b', 1);
    await set('a', 2);
    offline = false;

    await waitFor(() => changes(group).length === 3 && changes(item).length === 2);
    await set('c', 1); // a later live event proves both replays are over
    await waitFor(() => changes(group).length === 4);
    expect(changes(group)).toEqual([2, 3, 4, 5]);
    expect(changes(item)).toEqual([2, 4]);
  });

  it('gives a subscriber that joined while offline a sync rather than a resume', async () => {
    await start();
    await set('a', 0);
    const live = new LiveGroup<Item>(client, { stream: 's', group: 'g' });
    await live.subscription.synced;

    offline = true;
    sockets[sockets.length - 1]?.terminate();
    await waitFor(() => client.status === 'reconnecting');
    const late: Item[][] = [];
    const sub = client.join<Item>({ stream: 's', group: 'g' }, { onSync: (items) => void late.push(items) });
    await set('b', 1);
    offline = false;

    expect(await sub.synced).toBe(true);
    expect(late[0]).toEqual([...(await serverItems()).values()]);
    expect(live.items).toEqual(await serverItems());
  });
});
