/**
 * The stream port's limits and fail-closed joins, through real sockets: subscriptions per
 * connection, duplicate targets, connections per address and in total, frames per second, the
 * slow-reader close code a real client reads, and joins whose guard fails, hangs or is gone.
 */
import type { Socket } from 'node:net';
import type { EngineWorker, TriggerRecord } from '../../../../../src/engine/core/types';
import { createStreamWorker } from '../../../../../src/engine/workers/stream';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';
import { StreamTestClient, type Frame } from './ws-client';

let ctx: FakeEngineContext;
let worker: EngineWorker;
let url: string;
const clients: StreamTestClient[] = [];

async function start(config: Record<string, unknown> = {}): Promise<void> {
  ctx = new FakeEngineContext();
  worker = createStreamWorker({ port: 0, host: '127.0.0.1', ...config });
  await worker.start(ctx);
  url = worker.url?.() as string;
}

async function connect(): Promise<StreamTestClient> {
  const client = await StreamTestClient.open(url);
  clients.push(client);
  return client;
}

/** How the server closed a handshake it refused: code and reason. */
async function refusal(): Promise<[number, string]> {
  const client = await connect();
  const reason = new Promise<string>((resolve) => client.socket.once('close', (_code, why) => resolve(String(why))));
  return [await client.closed(), await reason];
}

const errorOf = (frame: Frame | undefined): unknown => (frame?.event as { error?: { code: string } } | undefined)?.error?.code;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await worker.stop();
});

describe('subscriptions per connection', () => {
  it('answers joins beyond the limit with an error event and frees a place on leave', async () => {
    await start({ limits: { subscriptions_per_connection: 3 } });
    const client = await connect();
    for (let i = 0; i < 5; i++) client.join(`s${i}`, 's', `g${i}`);
    const frames = await client.received(5);
    expect(frames.map((f) => [f.groupId, f.event.type])).toEqual([
      ['g0', 'sync'],
      ['g1', 'sync'],
      ['g2', 'sync'],
      ['g3', 'error'],
      ['g4', 'error'],
    ]);
    expect(frames[3]?.event).toEqual({
      type: 'error',
      error: { code: 'subscription_limit', message: 'at most 3 subscriptions per connection' },
    });
    // Joining again under a held id is a re-sync, not a new subscription.
    client.join('s0', 's', 'g0');
    client.leave('s1', 's', 'g1');
    client.join('s4', 's', 'g4');
    expect((await client.received(7)).slice(5).map((f) => [f.groupId, f.event.type])).toEqual([
      ['g0', 'sync'],
      ['g4', 'sync'],
    ]);
  });

  it('refuses a second subscription to the same target on one connection', async () => {
    await start();
    const client = await connect();
    client.join('first', 's', 'g');
    client.join('second', 's', 'g');
    client.join('item', 's', 'g', 'a');
    client.join('item-again', 's', 'g', 'a');
    const frames = await client.received(4);
    expect(frames.map((f) => [f.id, f.event.type, errorOf(f)])).toEqual([
      [null, 'sync', undefined],
      [null, 'error', 'duplicate_subscription'],
      ['a', 'sync', undefined],
      ['a', 'error', 'duplicate_subscription'],
    ]);
    await ctx.call('stream::set', { stream_name: 's', group_id: 'g', item_id: 'a', data: 1 });
    // One copy for the group subscription, one for the item subscription: nothing doubled.
    await client.received(6);
    await ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 'marker', data: null });
    const rest = (await client.received(7)).slice(4);
    expect(rest.map((f) => f.event.type)).toEqual(['create', 'create', 'event']);
  });
});

describe('connections', () => {
  it('closes connections beyond the per-address limit with 1008; loopback is exempt by default', async () => {
    await start({ limits: { connections_per_address: 2, unlimited_addresses: [] } });
    const first = await connect();
    await connect();
    expect(await refusal()).toEqual([1008, 'too many connections from this address']);
    await first.close();
    await connect();

    await worker.stop();
    await start({ limits: { connections_per_address: 1 } });
    await Promise.all([connect(), connect(), connect()]);
    expect(clients.slice(-3).every((c) => c.closeCode === undefined)).toBe(true);
  });

  it('closes connections beyond the total with 1013 (try again later)', async () => {
    await start({ limits: { connections: 2 } });
    await connect();
    await connect();
    expect(await refusal()).toEqual([1013, 'too many connections']);
  });
});

describe('frames per second', () => {
  it('closes a connection that sends faster than its rate with 1008', async () => {
    await start({ limits: { frames_per_second: 5 } });
    const client = await connect();
    const reason = new Promise<string>((resolve) => client.socket.once('close', (_code, why) => resolve(String(why))));
    for (let i = 0; i < 30; i++) client.join(`s${i}`, 's', `g${i}`);
    expect(await client.closed()).toBe(1008);
    expect(await reason).toBe('too many frames per second');
    // The burst (twice the rate) was served before the cut.
    expect(client.frames.filter((f) => f.event.type === 'sync').length).toBeLessThanOrEqual(10);
  });

  it('lets a client that stays within its rate go on', async () => {
    await start({ limits: { frames_per_second: 1000 } });
    const client = await connect();
    for (let i = 0; i < 50; i++) client.join(`s${i}`, 's', `g${i}`);
    expect(await client.received(50)).toHaveLength(50);
    expect(client.closeCode).toBeUndefined();
  });
});

describe('slow readers', () => {
  it('a client reading slower than events arrive is dropped and still reads the close code 1013', async () => {
    // The bound is large next to what the client reads per second, so reaching the close frame
    // behind it takes the client a few seconds: the server must not cut the socket meanwhile.
    await start({ max_buffered_bytes: 2 * 1024 * 1024 });
    const slow = await connect();
    slow.join('slow', 's', 'g');
    await slow.received(1);
    const raw = (slow.socket as unknown as { _socket: Socket })._socket;
    // At most one read (≤ 64 KiB) every 25 ms: about 2.5 MB/s.
    raw.on('data', () => {
      raw.pause();
      setTimeout(() => raw.resume(), 25).unref();
    });
    const chunk = 'x'.repeat(64 * 1024);
    const dropped = (): boolean => ctx.logs.some((line) => line.message === 'stream client too slow, disconnecting');
    for (let n = 0; !dropped() && n < 5000; n++) {
      await ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 'chunk', data: { n, chunk } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(dropped()).toBe(true);
    expect(await slow.closed(20_000)).toBe(1013);
  });
});

/** Timers that keep the process alive (an unref'd timer is not listed). */
function refTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

describe('fail-closed joins', () => {
  async function guard(functionId: string): Promise<TriggerRecord> {
    const record: TriggerRecord = { id: `guard-${functionId}`, trigger_type: 'stream:join', function_id: functionId, config: {} };
    await ctx.registerTrigger(record);
    return record;
  }

  async function joinVerdict(client: StreamTestClient, group: string): Promise<unknown> {
    const before = client.frames.length;
    client.join(`sub-${group}`, 's', group);
    return (await client.received(before + 1, 10_000))[before]?.event.type;
  }

  it('refuses a join whose guard throws, never answers, or whose function is gone', async () => {
    await start({ limits: { guard_timeout_ms: 200 } });
    const client = await connect();
    ctx.handle('guard::ok', () => ({ unauthorized: false }));
    await guard('guard::ok');
    expect(await joinVerdict(client, 'allowed')).toBe('sync');

    ctx.handle('guard::throws', () => {
      throw new Error('database down');
    });
    const throwing = await guard('guard::throws');
    expect(await joinVerdict(client, 'throws')).toBe('unauthorized');
    await ctx.unregisterTrigger(throwing);

    ctx.handle('guard::hangs', () => new Promise(() => undefined));
    const hanging = await guard('guard::hangs');
    expect(await joinVerdict(client, 'hangs')).toBe('unauthorized');
    await ctx.unregisterTrigger(hanging);

    // The trigger is still there, its function is not (registered by a worker that left).
    await guard('guard::missing');
    expect(await joinVerdict(client, 'missing')).toBe('unauthorized');
  });

  it('does not let a guard that never answers keep the process alive by its deadline', async () => {
    await start({ limits: { guard_timeout_ms: 60_000 } });
    const client = await connect();
    let guardCalled!: () => void;
    const called = new Promise<void>((resolve) => (guardCalled = resolve));
    ctx.handle('guard::hangs', () => {
      guardCalled();
      return new Promise(() => undefined);
    });
    await guard('guard::hangs');
    const timersBefore = refTimers();
    client.join('sub-hangs', 's', 'hangs');
    await called;
    await new Promise((resolve) => setImmediate(resolve));
    expect(refTimers()).toBe(timersBefore);
  });

  it('keeps refusing joins after a guard left with its worker, until the guard is registered again', async () => {
    await start();
    const client = await connect();
    ctx.handle('guard::app', () => ({ unauthorized: false }));
    const record = await guard('guard::app');
    expect(await joinVerdict(client, 'before')).toBe('sync');

    // A worker leaving: its functions go first, then its triggers (engine.md §5.6).
    ctx.unhandle('guard::app');
    await ctx.unregisterTrigger(record);
    expect(await joinVerdict(client, 'orphaned')).toBe('unauthorized');

    ctx.handle('guard::app', () => ({ unauthorized: false }));
    await ctx.registerTrigger(record);
    expect(await joinVerdict(client, 'back')).toBe('sync');

    // Unregistered on purpose (its function still there): the guard is simply gone.
    await ctx.unregisterTrigger(record);
    expect(await joinVerdict(client, 'unguarded')).toBe('sync');
  });
});
