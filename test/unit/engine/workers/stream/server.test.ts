import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { EngineWorker, TriggerRecord } from '../../../../../src/engine/core/types';
import { createStreamWorker } from '../../../../../src/engine/workers/stream';
import { MAX_QUEUED_FRAMES } from '../../../../../src/engine/workers/stream/connection';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';
import { waitFor } from '../../../../support/wait';
import { StreamTestClient } from './ws-client';

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

async function connect(options?: WebSocket.ClientOptions, path = '/'): Promise<StreamTestClient> {
  const client = await StreamTestClient.open(url + path, options);
  clients.push(client);
  return client;
}

function set(item: string, data: unknown, group = 'g'): Promise<unknown> {
  return ctx.call('stream::set', { stream_name: 's', group_id: group, item_id: item, data });
}

async function addTrigger(id: string, type: string, functionId: string, metadata?: unknown): Promise<void> {
  const record: TriggerRecord = { id, trigger_type: type, function_id: functionId, config: {}, metadata };
  await ctx.registerTrigger(record);
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await worker.stop();
});

describe('stream listener', () => {
  beforeEach(() => start());

  it('reports the bound ws:// url', () => {
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers upgrades on any other path with 404', async () => {
    await expect(connect(undefined, '/other')).rejects.toThrow(/404/);
  });

  it('answers plain HTTP on / with 426', async () => {
    const response = await fetch(url.replace('ws:', 'http:') + '/');
    expect(response.status).toBe(426);
  });

  it('syncs a group join with the group values and id null', async () => {
    await set('a', { n: 1 });
    const client = await connect();
    client.join('sub-1', 's', 'g');
    const [sync] = await client.received(1);
    expect(Object.keys(sync as object).sort()).toEqual(['epoch', 'event', 'groupId', 'id', 'seq', 'streamName', 'timestamp', 'type']);
    expect(sync).toMatchObject({ type: 'stream', streamName: 's', groupId: 'g', id: null, event: { type: 'sync', data: [{ n: 1 }] } });
  });

  it('syncs an item join with the item, or null when missing', async () => {
    await set('a', 'A');
    const client = await connect();
    client.join('sub-a', 's', 'g', 'a');
    client.join('sub-b', 's', 'g', 'missing');
    const frames = await client.received(2);
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['a', { type: 'sync', data: 'A' }],
      ['missing', { type: 'sync', data: null }],
    ]);
  });

  it('pushes create, update, delete and custom events in write order', async () => {
    const client = await connect();
    client.join('sub', 's', 'g');
    await client.received(1);
    await set('a', 1);
    await set('a', 2);
    await ctx.call('stream::delete', { stream_name: 's', group_id: 'g', item_id: 'a' });
    await ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 'ping', data: { p: 1 } });
    const frames = (await client.received(5)).slice(1);
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['a', { type: 'create', data: 1 }],
      ['a', { type: 'update', data: 2 }],
      ['a', { type: 'delete', data: 2 }],
      [null, { type: 'event', event: { type: 'ping', data: { p: 1 } } }],
    ]);
  });

  it('delivers writes committed in one batch to group and item subscribers whole and in order, large and non-ASCII values too', async () => {
    const group = await connect();
    const item = await connect();
    group.join('all', 's', 'g');
    item.join('b-only', 's', 'g', 'b');
    await Promise.all([group.received(1), item.received(1)]);
    const values = ['x'.repeat(70_000), 'grüße 😀', { n: 3 }, 'y'.repeat(200)];
    // Not awaited one by one: the writes are committed together and announced in one task.
    await Promise.all(values.map((value, i) => set(i === 1 ? 'b' : `item-${i}`, value)));
    const frames = (await group.received(5)).slice(1);
    expect(frames.map((f) => f.event.data)).toEqual(values);
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect((await item.received(2))[1]).toMatchObject({ id: 'b', event: { type: 'create', data: 'grüße 😀' } });
    expect(item.frames).toHaveLength(2);
  });

  it('gives item subscriptions only their item and no id-less events', async () => {
    const client = await connect();
    client.join('item', 's', 'g', 'a');
    await client.received(1);
    await set('b', 'other');
    await ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 't', data: null });
    await set('a', 'mine');
    const frames = await client.received(2);
    expect(frames[1]).toMatchObject({ id: 'a', event: { type: 'create', data: 'mine' } });
    await set('a', 'again');
    await client.received(3);
    expect(client.frames).toHaveLength(3);
  });

  it('sends one frame per matching subscription of a connection', async () => {
    const client = await connect();
    client.join('group', 's', 'g');
    client.join('item', 's', 'g', 'a');
    await client.received(2);
    await set('a', 1);
    const frames = (await client.received(4)).slice(2);
    expect(frames.map((f) => f.event.type)).toEqual(['create', 'create']);
  });

  it('ignores invalid frames and keeps the connection usable', async () => {
    const client = await connect();
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 1 } }));
    client.socket.send(JSON.stringify({ type: 'dance' }));
    client.socket.send(Buffer.from(JSON.stringify({ type: 'join', data: { subscriptionId: 'b', streamName: 's', groupId: 'g' } })));
    const [sync] = await client.received(1);
    expect(sync?.event.type).toBe('sync');
    expect(client.closeCode).toBeUndefined();
  });

  it('stops events after leave and calls stream:leave triggers', async () => {
    const left: unknown[] = [];
    ctx.handle('on::leave', (data) => left.push(data));
    await addTrigger('leave-1', 'stream:leave', 'on::leave');
    const client = await connect();
    client.join('sub', 's', 'g', 'a');
    await client.received(1);
    client.leave('sub', 's', 'g');
    await waitFor(() => left.length === 1);
    expect(left[0]).toEqual({ subscription_id: 'sub', stream_name: 's', group_id: 'g', id: 'a', context: null });
    await set('a', 1);
    client.join('probe', 's', 'other');
    await client.received(2);
    expect(client.frames[1]?.groupId).toBe('other');
  });

  it('calls stream:leave for every subscription when the socket closes', async () => {
    const left: string[] = [];
    ctx.handle('on::leave', (data) => left.push((data as { subscription_id: string }).subscription_id));
    await addTrigger('leave-1', 'stream:leave', 'on::leave');
    const client = await connect();
    client.join('one', 's', 'g');
    client.join('two', 's', 'h');
    await client.received(2);
    await client.close();
    await waitFor(() => left.length === 2);
    expect(left.sort()).toEqual(['one', 'two']);
  });

  it('refuses a join a stream:join trigger marks unauthorized', async () => {
    ctx.handle('on::join', (data) => ({ unauthorized: (data as { group_id: string }).group_id === 'secret' }));
    await addTrigger('join-1', 'stream:join', 'on::join', { tag: 'm' });
    const client = await connect();
    client.join('sub', 's', 'secret', 'x');
    const [frame] = await client.received(1);
    expect(frame).toMatchObject({ streamName: 's', groupId: 'secret', id: 'x', event: { type: 'unauthorized' } });
    expect(ctx.invocations.find((c) => c.functionId === 'on::join')?.options).toEqual({ metadata: { tag: 'm' } });
    await set('x', 1, 'secret');
    client.join('ok', 's', 'open');
    const frames = await client.received(2);
    expect(frames[1]?.event.type).toBe('sync');
    expect(client.frames).toHaveLength(2);
  });

  it('lets a join through when the join trigger answers without a boolean, and refuses it when the trigger fails', async () => {
    ctx.handle('on::join:odd', () => ({ unauthorized: 'yes' }));
    await addTrigger('j2', 'stream:join', 'on::join:odd');
    const client = await connect();
    client.join('sub', 's', 'g');
    const [frame] = await client.received(1);
    expect(frame?.event.type).toBe('sync');
    ctx.handle('on::join:fails', () => {
      throw new Error('down');
    });
    await addTrigger('j1', 'stream:join', 'on::join:fails');
    client.join('sub-2', 's', 'other');
    expect((await client.received(2))[1]?.event.type).toBe('unauthorized');
  });

  it('fires stream triggers with the envelope through ctx.fire', async () => {
    await ctx.registerTrigger({ id: 't', trigger_type: 'stream', function_id: 'on::change', config: { stream_name: 's' } });
    await set('a', 1);
    expect(ctx.fired).toHaveLength(1);
    expect(ctx.fired[0]?.triggers.map((t) => t.id)).toEqual(['t']);
    expect(ctx.fired[0]?.payload).toMatchObject({
      type: 'stream',
      streamName: 's',
      groupId: 'g',
      id: 'a',
      event: { type: 'create', data: 1 },
    });
  });

  it('syncs a custom stream through its list function and sends changes made meanwhile after the sync', async () => {
    let release: () => void = () => undefined;
    ctx.handle('stream::list(custom)', () => new Promise((resolve) => (release = () => resolve(['snapshot']))));
    const client = await connect();
    client.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 's1', streamName: 'custom', groupId: 'g' } }));
    await waitFor(() => ctx.invocations.some((c) => c.functionId === 'stream::list(custom)'));
    await ctx.call('stream::send', { stream_name: 'custom', group_id: 'g', type: 'meanwhile', data: 1 });
    release();
    const frames = await client.received(2);
    expect(frames.map((f) => f.event.type)).toEqual(['sync', 'event']);
    expect(frames[0]?.event).toEqual({ type: 'sync', data: ['snapshot'] });
  });

  it('answers WebSocket pings', async () => {
    const client = await connect();
    const pong = new Promise<string>((resolve) => client.socket.once('pong', (data) => resolve(String(data))));
    client.socket.ping('hello');
    await expect(pong).resolves.toBe('hello');
  });

  it('cuts off a client that floods frames faster than they are handled', async () => {
    ctx.handle('on::join', () => new Promise(() => undefined));
    await addTrigger('slow-join', 'stream:join', 'on::join');
    const client = await connect();
    const frame = JSON.stringify({ type: 'join', data: { subscriptionId: 'x', streamName: 's', groupId: 'g' } });
    for (let i = 0; i < MAX_QUEUED_FRAMES + 10; i++) client.socket.send(frame);
    expect(await client.closed()).toBe(1008);
  });

  it('closes every client with 1001 on stop and reports no url afterwards', async () => {
    const client = await connect();
    await worker.stop();
    expect(await client.closed()).toBe(1001);
    expect(worker.url?.()).toBeUndefined();
  });
});

describe('stream listener with an auth function', () => {
  beforeEach(() => start({ auth_function: 'auth::stream' }));

  it('passes headers, query params and address to the auth function and its context to join triggers', async () => {
    const authInputs: unknown[] = [];
    ctx.handle('auth::stream', (data) => {
      authInputs.push(data);
      return { context: { user: 'u1' } };
    });
    const joins: unknown[] = [];
    ctx.handle('on::join', (data) => {
      joins.push(data);
      return { unauthorized: false };
    });
    await addTrigger('j', 'stream:join', 'on::join');
    const client = await StreamTestClient.open(`${url}/?token=a&token=b&x=1`, { headers: { 'X-Token': 'secret' } });
    clients.push(client);
    client.join('sub', 's', 'g');
    await client.received(1);
    expect(authInputs[0]).toMatchObject({
      path: '/',
      query_params: { token: ['a', 'b'], x: ['1'] },
      headers: expect.objectContaining({ 'x-token': 'secret' }) as unknown,
      addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
    });
    expect(joins[0]).toEqual({ subscription_id: 'sub', stream_name: 's', group_id: 'g', id: null, context: { user: 'u1' } });
  });

  it('accepts the connection without context when the auth function answers nothing', async () => {
    ctx.handle('auth::stream', () => undefined);
    const joins: Array<{ context: unknown }> = [];
    ctx.handle('on::join', (data) => void joins.push(data as { context: unknown }));
    await addTrigger('j', 'stream:join', 'on::join');
    const client = await connect();
    client.join('sub', 's', 'g');
    await client.received(1);
    expect(joins[0]?.context).toBeNull();
  });

  it('refuses the connection (1011) when the auth function fails: fail closed', async () => {
    ctx.handle('auth::stream', () => {
      throw new Error('no');
    });
    const client = await connect();
    expect(await client.closed()).toBe(1011);
    expect(client.frames).toEqual([]);
  });
});

describe('slow clients', () => {
  // A bound well above one frame, so a reader that keeps up never reaches it.
  beforeEach(() => start({ max_buffered_bytes: 1024 * 1024 }));

  it('drops a client that stops reading while a reading client gets every event', async () => {
    const left: string[] = [];
    ctx.handle('on::leave', (data) => left.push((data as { subscription_id: string }).subscription_id));
    await addTrigger('leave', 'stream:leave', 'on::leave');
    const fast = await connect();
    const slow = await connect();
    fast.join('fast', 's', 'g');
    slow.join('slow', 's', 'g');
    await Promise.all([fast.received(1), slow.received(1)]);
    (slow.socket as unknown as { _socket: Socket })._socket.pause();

    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Far more than the kernel buffers plus the bound can hold for a reader that never reads.
    while (!left.includes('slow') && sent < 2000) {
      await ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 'chunk', data: { n: sent, chunk } });
      sent++;
      // Let the sockets drain between events, as a real producer would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fast.closeCode).toBeUndefined();
    await waitFor(() => left.includes('slow'), 10_000);
    const frames = await fast.received(1 + sent, 10000);
    expect(frames.slice(1).map((f) => (f.event.event as { data: { n: number } }).data.n)).toEqual(
      Array.from({ length: sent }, (_, i) => i),
    );
    expect(left).toEqual(['slow']);
  });
});
