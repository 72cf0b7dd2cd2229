/**
 * `iii-stream` through real interfaces: the iii-sdk client for `stream::*` (including custom
 * streams made with `createStream`) and raw `ws` clients on the stream port for the client
 * protocol (join/sync/changes/unauthorized/leave), write ordering and slow-client isolation.
 */
import type { Socket } from 'node:net';
import type { IIIClient } from 'iii-sdk';
import { createStream } from 'iii-sdk/helpers';
import WebSocket from 'ws';
import { TestHarness, waitFor, waitForFunctions, waitForTrigger } from '../support/engine';

type Frame = {
  type: string;
  timestamp: number;
  streamName: string;
  groupId: string;
  id: string | null;
  event: { type: string; data?: unknown; event?: { type: string; data: unknown } };
  seq?: number;
  version?: number;
  epoch?: string;
};

/** A raw stream-port client that records every frame. */
class Client {
  readonly frames: Frame[] = [];
  /** Whether each frame came as a text message (JSON frames must, or browsers get Blobs). */
  readonly text: boolean[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw, isBinary) => {
      this.text.push(!isBinary);
      this.frames.push(JSON.parse(String(raw)) as Frame);
    });
    socket.on('error', () => undefined);
  }

  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  join(subscriptionId: string, streamName: string, groupId: string, id?: string): void {
    this.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName, groupId, ...(id !== undefined && { id }) } }));
  }

  leave(subscriptionId: string, streamName: string, groupId: string): void {
    this.socket.send(JSON.stringify({ type: 'leave', data: { subscriptionId, streamName, groupId, id: null } }));
  }

  async received(count: number, timeoutMs = 5000): Promise<Frame[]> {
    await waitFor(() => this.frames.length >= count, { timeoutMs, description: `${count} stream frames` });
    return this.frames.slice(0, count);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.terminate();
    });
  }
}

describe('iii-stream', () => {
  let h: TestHarness;
  let iii: IIIClient;
  let streamUrl: string;
  let counter = 0;
  /** A fresh stream name per test, so tests never see each other's items or events. */
  let stream: string;
  const clients: Client[] = [];

  function call<T = unknown>(functionId: string, payload: unknown): Promise<T> {
    return iii.trigger<unknown, T>({ function_id: functionId, payload });
  }

  async function connect(): Promise<Client> {
    const client = await Client.open(streamUrl);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('stream-tests');
    streamUrl = h.urls.stream as string;
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    counter += 1;
    stream = `stream-${counter}`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  describe('functions through the SDK', () => {
    const item = (): { stream_name: string; group_id: string; item_id: string } => ({ stream_name: stream, group_id: 'g', item_id: 'i' });

    it('sets with old_value null, then returns the previous value', async () => {
      await expect(call('stream::set', { ...item(), data: { v: 1 } })).resolves.toEqual({ old_value: null, new_value: { v: 1 } });
      await expect(call('stream::set', { ...item(), data: { v: 2 } })).resolves.toEqual({ old_value: { v: 1 }, new_value: { v: 2 } });
    });

    it('gets a value, and undefined for a missing item', async () => {
      await call('stream::set', { ...item(), data: 'x' });
      await expect(call('stream::get', item())).resolves.toBe('x');
      await expect(call('stream::get', { ...item(), item_id: 'missing' })).resolves.toBeUndefined();
    });

    it('deletes with an {old_value} result, also for a missing item', async () => {
      await call('stream::set', { ...item(), data: 1 });
      await expect(call('stream::delete', item())).resolves.toEqual({ old_value: 1 });
      await expect(call('stream::delete', item())).resolves.toEqual({ old_value: null });
      await expect(call('stream::get', item())).resolves.toBeUndefined();
    });

    it('lists group values and returns list_groups as a bare array', async () => {
      await call('stream::set', { ...item(), item_id: 'a', data: 1 });
      await call('stream::set', { ...item(), item_id: 'b', data: 2 });
      await call('stream::set', { ...item(), group_id: 'h', data: 3 });
      await expect(call('stream::list', { stream_name: stream, group_id: 'g' })).resolves.toEqual([1, 2]);
      const groups = await call<string[]>('stream::list_groups', { stream_name: stream });
      expect([...groups].sort()).toEqual(['g', 'h']);
      const all = await call<{ stream: Array<{ id: string; groups: string[] }>; count: number }>('stream::list_all', {});
      expect(all.stream).toContainEqual({ id: stream, groups: ['g', 'h'] });
      expect(all.count).toBe(all.stream.length);
    });

    it('updates with ops (set, append, merge) and omits empty errors', async () => {
      await call('stream::set', { ...item(), data: { count: 0, chunks: [], transcript: 'hello' } });
      const result = await call<Record<string, unknown>>('stream::update', {
        ...item(),
        ops: [
          { type: 'set', path: 'count', value: 5 },
          { type: 'append', path: 'chunks', value: { text: 'hi' } },
          { type: 'append', path: 'transcript', value: ' world' },
          { type: 'merge', path: ['sessions', 'abc'], value: { ts: 'chunk' } },
        ],
      });
      expect(result).toEqual({
        old_value: { count: 0, chunks: [], transcript: 'hello' },
        new_value: { count: 5, chunks: [{ text: 'hi' }], transcript: 'hello world', sessions: { abc: { ts: 'chunk' } } },
      });
      expect('errors' in result).toBe(false);
    });

    it('rejects bad input with deserialization_error', async () => {
      await expect(call('stream::set', { stream_name: stream, group_id: 'g', item_id: 5, data: 1 })).rejects.toMatchObject({
        code: 'deserialization_error',
      });
      await expect(call('stream::update', { ...item(), ops: [{ type: 'increment', path: 'n', by: 'x' }] })).rejects.toMatchObject({
        code: 'deserialization_error',
      });
    });

    it('send resolves null', async () => {
      await expect(call('stream::send', { stream_name: stream, group_id: 'g', type: 't', data: 1 })).resolves.toBeNull();
    });
  });

  describe('custom streams (createStream)', () => {
    it('routes set/get/delete/list to the worker implementation, including the join sync', async () => {
      const name = `custom-${counter}`;
      const store = new Map<string, unknown>();
      createStream<unknown>(iii, name, {
        get: async (input) => (store.get(`${input.group_id}::${input.item_id}`) ?? null) as unknown,
        set: async (input) => {
          const key = `${input.group_id}::${input.item_id}`;
          const old = store.get(key);
          store.set(key, input.data);
          return { old_value: old, new_value: input.data };
        },
        delete: async (input) => {
          const key = `${input.group_id}::${input.item_id}`;
          const old = store.get(key);
          store.delete(key);
          return { old_value: old };
        },
        list: async (input) => [...store.entries()].filter(([k]) => k.startsWith(`${input.group_id}::`)).map(([, v]) => v),
        listGroups: async () => [...new Set([...store.keys()].map((k) => k.split('::')[0] as string))],
        update: async () => {
          throw new Error('not implemented');
        },
      });
      await waitForFunctions(iii, [`stream::set(${name})`, `stream::get(${name})`, `stream::list(${name})`]);
      const ref = { stream_name: name, group_id: 'g', item_id: 'i' };

      await call('stream::set', { ...ref, data: { v: 1 } });
      expect(store.get('g::i')).toEqual({ v: 1 });
      await expect(call('stream::get', ref)).resolves.toEqual({ v: 1 });

      const client = await connect();
      client.join('sub', name, 'g');
      const [sync] = await client.received(1);
      expect(sync?.event).toEqual({ type: 'sync', data: [{ v: 1 }] });

      await call('stream::delete', ref);
      const frames = await client.received(2);
      expect(frames[1]?.event).toEqual({ type: 'delete', data: { v: 1 } });
      await expect(call('stream::get', ref)).resolves.toBeNull();
    });
  });

  describe('client WebSocket protocol', () => {
    it('joins a group from the path-form URL and resumes from its query', async () => {
      await call('stream::set', { stream_name: stream, group_id: 'room 1', item_id: 'a', data: { n: 1 } });
      const byPath = await Client.open(`${streamUrl}/stream/${encodeURIComponent(stream)}/${encodeURIComponent('room 1')}`);
      clients.push(byPath);
      const [sync] = await byPath.received(1);
      expect(sync).toMatchObject({ streamName: stream, groupId: 'room 1', id: null, seq: 1, event: { type: 'sync', data: [{ n: 1 }] } });
      await call('stream::set', { stream_name: stream, group_id: 'room 1', item_id: 'b', data: { n: 2 } });
      const [, created] = await byPath.received(2);
      expect(created).toMatchObject({ id: 'b', seq: 2, version: 1, event: { type: 'create', data: { n: 2 } } });

      const resumed = await Client.open(`${streamUrl}/stream/${encodeURIComponent(stream)}/room%201?since=1&epoch=${String(sync?.epoch)}`);
      clients.push(resumed);
      const [replayed] = await resumed.received(1);
      expect(replayed).toMatchObject({ id: 'b', seq: 2, event: { type: 'create' } });
    });

    it('syncs on join and pushes create, update, delete and custom events with the exact envelope, numbered per group', async () => {
      await call('stream::set', { stream_name: stream, group_id: 'g', item_id: 'a', data: { n: 0 } });
      const client = await connect();
      client.join('sub-1', stream, 'g');
      await client.received(1);
      await call('stream::set', { stream_name: stream, group_id: 'g', item_id: 'b', data: { n: 1 } });
      await call('stream::update', { stream_name: stream, group_id: 'g', item_id: 'b', ops: [{ type: 'increment', path: 'n', by: 1 }] });
      await call('stream::delete', { stream_name: stream, group_id: 'g', item_id: 'a' });
      await call('stream::send', { stream_name: stream, group_id: 'g', type: 'typing', data: { who: 'x' } });

      const frames = await client.received(5);
      expect(frames[0]).toEqual({
        type: 'stream',
        timestamp: expect.any(Number) as unknown,
        streamName: stream,
        groupId: 'g',
        id: null,
        event: { type: 'sync', data: [{ n: 0 }] },
        // Our resume fields: the group's position (one event so far) and its incarnation.
        seq: 1,
        epoch: expect.any(String) as unknown,
      });
      expect(frames.slice(1).map((f) => [f.id, f.event, f.seq, f.version])).toEqual([
        ['b', { type: 'create', data: { n: 1 } }, 2, 1],
        ['b', { type: 'update', data: { n: 2 } }, 3, 2],
        ['a', { type: 'delete', data: { n: 0 } }, 4, 2],
        [null, { type: 'event', event: { type: 'typing', data: { who: 'x' } } }, 5, undefined],
      ]);
      expect(client.text).toEqual([true, true, true, true, true]);
    });

    it('refuses a join that a stream:join trigger marks unauthorized, and calls stream:leave on leave', async () => {
      const joins: Array<Record<string, unknown>> = [];
      const leaves: Array<Record<string, unknown>> = [];
      const joinFn = `join-guard-${counter}`;
      const leaveFn = `leave-log-${counter}`;
      iii.registerFunction(joinFn, async (event: Record<string, unknown>) => {
        joins.push(event);
        return { unauthorized: event.stream_name === stream && event.group_id === 'private' };
      });
      iii.registerFunction(leaveFn, async (event: Record<string, unknown>) => {
        // Leave triggers see every stream; earlier tests' clients may still be closing.
        if (event.stream_name === stream) leaves.push(event);
        return null;
      });
      const joinTrigger = iii.registerTrigger({ type: 'stream:join', function_id: joinFn, config: {} });
      const leaveTrigger = iii.registerTrigger({ type: 'stream:leave', function_id: leaveFn, config: {} });
      try {
        await waitForTrigger(iii, joinFn);
        await waitForTrigger(iii, leaveFn);
        const client = await connect();
        client.join('denied', stream, 'private', 'x');
        const [denied] = await client.received(1);
        expect(denied).toMatchObject({ streamName: stream, groupId: 'private', id: 'x', event: { type: 'unauthorized' } });

        client.join('allowed', stream, 'public');
        const frames = await client.received(2);
        expect(frames[1]?.event).toEqual({ type: 'sync', data: [] });
        expect(joins[1]).toEqual({ subscription_id: 'allowed', stream_name: stream, group_id: 'public', id: null, context: null });

        client.leave('allowed', stream, 'public');
        await waitFor(() => leaves.length === 1, { description: 'the leave trigger' });
        expect(leaves[0]).toMatchObject({ subscription_id: 'allowed', stream_name: stream, group_id: 'public' });
        await call('stream::set', { stream_name: stream, group_id: 'public', item_id: 'i', data: 1 });
        await call('stream::set', { stream_name: stream, group_id: 'private', item_id: 'x', data: 1 });
        client.join('probe', stream, 'other');
        await client.received(3);
        expect(client.frames.map((f) => f.event.type)).toEqual(['unauthorized', 'sync', 'sync']);
      } finally {
        joinTrigger.unregister();
        leaveTrigger.unregister();
      }
    });

    it('delivers many quick writes to clients and stream triggers in write order', async () => {
      const seen: number[] = [];
      const fn = `stream-watch-${counter}`;
      iii.registerFunction(fn, async (event: Frame) => {
        seen.push((event.event.data as { n: number }).n);
        return null;
      });
      const trigger = iii.registerTrigger({ type: 'stream', function_id: fn, config: { stream_name: stream, group_id: 'g' } });
      try {
        await waitForTrigger(iii, fn);
        const client = await connect();
        client.join('sub', stream, 'g', 'counter');
        await client.received(1);
        const total = 200;
        await Promise.all(
          Array.from({ length: total }, () =>
            call('stream::update', {
              stream_name: stream,
              group_id: 'g',
              item_id: 'counter',
              ops: [{ type: 'increment', path: 'n', by: 1 }],
            }),
          ),
        );
        const expected = Array.from({ length: total }, (_, i) => i + 1);
        const frames = await client.received(1 + total);
        expect(frames.slice(1).map((f) => (f.event.data as { n: number }).n)).toEqual(expected);
        await waitFor(() => seen.length === total, { description: 'every trigger delivery' });
        expect(seen).toEqual(expected);
      } finally {
        trigger.unregister();
      }
    });

    it('drops a client that stops reading while another client still gets every event', async () => {
      const leaves: string[] = [];
      const leaveFn = `leave-slow-${counter}`;
      iii.registerFunction(leaveFn, async (event: { subscription_id: string; stream_name: string }) => {
        if (event.stream_name === stream) leaves.push(event.subscription_id);
        return null;
      });
      const leaveTrigger = iii.registerTrigger({ type: 'stream:leave', function_id: leaveFn, config: {} });
      try {
        await waitForTrigger(iii, leaveFn);
        const fast = await connect();
        const slow = await connect();
        fast.join('fast', stream, 'g');
        slow.join('slow', stream, 'g');
        await Promise.all([fast.received(1), slow.received(1)]);
        (slow.socket as unknown as { _socket: Socket })._socket.pause();

        const chunk = 'x'.repeat(256 * 1024);
        let sent = 0;
        // 8 MiB (the default bound) plus whatever the kernel buffers hold is far below this cap.
        while (!leaves.includes('slow') && sent < 400) {
          await call('stream::send', { stream_name: stream, group_id: 'g', type: 'chunk', data: { n: sent, chunk } });
          sent += 1;
        }
        await waitFor(() => leaves.includes('slow'), { description: 'the slow client to be dropped' });
        const frames = await fast.received(1 + sent, 15_000);
        expect(frames.slice(1).map((f) => (f.event.event?.data as { n: number }).n)).toEqual(Array.from({ length: sent }, (_, i) => i));
        expect(fast.socket.readyState).toBe(WebSocket.OPEN);
      } finally {
        leaveTrigger.unregister();
      }
    });
  });
});

describe('iii-stream with an auth_function from config', () => {
  let h: TestHarness;
  let iii: IIIClient;

  beforeAll(async () => {
    h = await TestHarness.start({
      config: { workers: [{ name: 'iii-stream', config: { port: 3112, auth_function: 'test::stream-auth' } }] },
    });
    iii = h.worker('stream-auth-tests');
  });

  afterAll(async () => {
    await h.close();
  });

  it('hands the context the auth function returns to join triggers', async () => {
    const auths: Array<{ query_params: Record<string, string[]>; path: string }> = [];
    const joins: Array<{ context: unknown }> = [];
    iii.registerFunction('test::stream-auth', async (input: { query_params: Record<string, string[]>; path: string }) => {
      auths.push(input);
      return { context: { user: input.query_params.user?.[0] ?? null } };
    });
    iii.registerFunction('test::stream-join', async (event: { context: unknown }) => {
      joins.push(event);
      return { unauthorized: false };
    });
    const trigger = iii.registerTrigger({ type: 'stream:join', function_id: 'test::stream-join', config: {} });
    await waitForFunctions(iii, ['test::stream-auth']);
    await waitForTrigger(iii, 'test::stream-join');

    const client = await Client.open(`${h.urls.stream as string}/?user=ada`);
    try {
      client.join('sub', 'authed', 'g');
      await client.received(1);
      expect(auths[0]).toMatchObject({ path: '/', query_params: { user: ['ada'] } });
      expect(joins[0]?.context).toEqual({ user: 'ada' });
    } finally {
      trigger.unregister();
      await client.close();
    }
  });
});
