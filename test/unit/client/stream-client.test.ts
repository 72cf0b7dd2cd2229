import WebSocket from 'ws';
import { applyStreamMessage, ConnectionStatus, LiveGroup, StreamClient, StreamClientError, StreamMessage } from '../../../src/client';
import { waitFor } from '../../support/wait';
import { FakeStreamServer } from './fake-stream-server';

interface Todo {
  id: string;
  title: string;
}

const S = 'todos-live';

describe('StreamClient', () => {
  let server: FakeStreamServer;
  let client: StreamClient;
  let errors: unknown[];

  beforeEach(async () => {
    server = await FakeStreamServer.start();
    errors = [];
    client = new StreamClient(server.url, {
      WebSocket,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      onError: (e) => errors.push(e),
    });
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('joins a group with a join frame and hands the sync to onSync', async () => {
    server.put(S, 'all', 'a', { id: 'a', title: 'A' });
    const synced: Todo[][] = [];
    const sub = client.join<Todo>({ stream: S, group: 'all' }, { onSync: (items) => synced.push(items) });

    expect(await sub.synced).toBe(true);
    expect(server.frames[0]).toEqual({
      type: 'join',
      data: { subscriptionId: expect.any(String), streamName: S, groupId: 'all' },
    });
    expect(synced).toEqual([[{ id: 'a', title: 'A' }]]);
  });

  it('joins a single item and syncs that item, or null when it does not exist', async () => {
    server.put(S, 'metrics', 'global', { total: 1 });
    const got: unknown[] = [];
    const present = client.join<{ total: number }>({ stream: S, group: 'metrics', item: 'global' }, { onSync: (v) => got.push(v) });
    const missing = client.join({ stream: S, group: 'metrics', item: 'nope' }, { onSync: (v) => got.push(v) });

    await Promise.all([present.synced, missing.synced]);
    expect(server.frames.map((f) => f.data.id)).toEqual(['global', 'nope']);
    expect(got).toEqual([{ total: 1 }, null]);
  });

  it('delivers create, update and delete with the item id, in the order the server sent them', async () => {
    const seen: string[] = [];
    const sub = client.join<Todo>(
      { stream: S, group: 'all' },
      {
        onCreate: (t, id) => seen.push(`create:${id}:${t.title}`),
        onUpdate: (t, id) => seen.push(`update:${id}:${t.title}`),
        onDelete: (t, id) => seen.push(`delete:${id}:${t.title}`),
      },
    );
    await sub.synced;

    server.set(S, 'all', 'a', { id: 'a', title: 'one' });
    server.set(S, 'all', 'a', { id: 'a', title: 'two' });
    server.delete(S, 'all', 'a');

    await waitFor(() => seen.length === 3);
    expect(seen).toEqual(['create:a:one', 'update:a:two', 'delete:a:two']);
  });

  it('hands custom events to onEvent with their type and data', async () => {
    const events: Array<[string, unknown]> = [];
    const sub = client.join({ stream: S, group: 'all' }, { onEvent: (type, data) => events.push([type, data]) });
    await sub.synced;

    server.broadcast(S, 'all', null, { type: 'event', event: { type: 'ping', data: { n: 1 } } });

    await waitFor(() => events.length === 1);
    expect(events).toEqual([['ping', { n: 1 }]]);
  });

  it('reports an unauthorized join and settles synced with false', async () => {
    server.unauthorizedGroups.add('secret');
    let unauthorized = 0;
    const sub = client.join({ stream: S, group: 'secret' }, { onUnauthorized: () => unauthorized++ });

    expect(await sub.synced).toBe(false);
    expect(unauthorized).toBe(1);
  });

  it('sends a leave frame and delivers nothing more after leave()', async () => {
    const seen: string[] = [];
    const sub = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (_t, id) => seen.push(String(id)) });
    const other = client.join<Todo>({ stream: S, group: 'other' }, { onCreate: (_t, id) => seen.push(String(id)) });
    await Promise.all([sub.synced, other.synced]);

    sub.leave();
    await waitFor(() => server.frames.some((f) => f.type === 'leave'));
    server.set(S, 'all', 'a', { id: 'a', title: 'x' });
    server.set(S, 'other', 'b', { id: 'b', title: 'y' });

    await waitFor(() => seen.length >= 1);
    expect(seen).toEqual(['b']);
    expect(server.frames.find((f) => f.type === 'leave')?.data).toEqual({
      subscriptionId: server.frames[0].data.subscriptionId,
      streamName: S,
      groupId: 'all',
      id: null,
    });
  });

  it('shares one server subscription between local subscribers of the same group, each getting every event once', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const first = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (t) => a.push(t.id) });
    await first.synced;
    const second = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (t) => b.push(t.id) });
    await second.synced;

    server.set(S, 'all', 'x', { id: 'x', title: 'x' });
    server.set(S, 'all', 'y', { id: 'y', title: 'y' });

    await waitFor(() => a.length === 2 && b.length === 2);
    expect(server.subscriptionCount()).toBe(1);
    expect([a, b]).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
  });

  it('delivers an event once to a group subscriber and once to an item subscriber despite the server sending it twice', async () => {
    const group: string[] = [];
    const item: string[] = [];
    const g = client.join<Todo>(
      { stream: S, group: 'all' },
      { onCreate: (t) => group.push(t.title), onUpdate: (t) => group.push(t.title) },
    );
    const i = client.join<Todo>({ stream: S, group: 'all', item: 'a' }, { onUpdate: (t) => item.push(t.title) });
    await Promise.all([g.synced, i.synced]);
    server.put(S, 'all', 'a', { id: 'a', title: 'old' });

    server.set(S, 'all', 'a', { id: 'a', title: 'new' });
    server.set(S, 'all', 'b', { id: 'b', title: 'other' });

    await waitFor(() => group.length === 2);
    expect(group).toEqual(['new', 'other']);
    expect(item).toEqual(['new']);
  });

  it('reconnects after the connection drops, re-joins and resyncs', async () => {
    const statuses: ConnectionStatus[] = [];
    client.close();
    client = new StreamClient(server.url, {
      WebSocket,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      onStatus: (s) => statuses.push(s),
    });
    server.put(S, 'all', 'a', { id: 'a', title: 'A' });
    const live = new LiveGroup<Todo>(client, { stream: S, group: 'all' });
    await live.subscription.synced;

    server.dropAll();
    server.remove(S, 'all', 'a');
    server.put(S, 'all', 'b', { id: 'b', title: 'B' });

    await waitFor(() => live.items.has('b'));
    expect([...live.items.keys()]).toEqual(['b']);
    expect(server.frames.filter((f) => f.type === 'join')).toHaveLength(2);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('keeps retrying with backoff while the server is unreachable', async () => {
    const url = server.url;
    await server.close();
    const statuses: ConnectionStatus[] = [];
    let attempts = 0;
    class CountingWebSocket extends WebSocket {
      constructor(address: string) {
        super(address);
        attempts += 1;
      }
    }
    client.close();
    client = new StreamClient(url, {
      WebSocket: CountingWebSocket,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
      onStatus: (s) => statuses.push(s),
    });

    client.join({ stream: S, group: 'all' });

    await waitFor(() => attempts >= 3);
    expect(statuses).toEqual(['connecting', 'reconnecting']);
    server = await FakeStreamServer.start(); // afterEach closes a live server
  });

  it('close() is idempotent, stops reconnecting and refuses new joins', async () => {
    const sub = client.join({ stream: S, group: 'all' });
    await sub.synced;

    client.close();
    client.close();

    expect(client.status).toBe('closed');
    await waitFor(() => server.connections === 0);
    expect(() => client.join({ stream: S, group: 'all' })).toThrow(expect.objectContaining({ code: 'CLIENT_CLOSED' }));
  });

  it('settles a pending synced with false when closed before the sync arrives', async () => {
    const sub = client.join({ stream: S, group: 'all' });
    client.close();
    expect(await sub.synced).toBe(false);
  });

  it('ignores malformed frames and keeps delivering valid ones', async () => {
    const seen: string[] = [];
    const sub = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (t) => seen.push(t.id) });
    await sub.synced;

    server.sendRaw('not json');
    server.sendRaw('{"type":"stream","streamName":"todos-live"}');
    server.sendRaw('{"__proto__":{"polluted":true},"streamName":"todos-live","groupId":"all","event":{"type":"event"}}');
    server.sendRaw('null');
    server.set(S, 'all', 'a', { id: 'a', title: 'x' });

    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts frames sent as binary', async () => {
    const seen: string[] = [];
    const sub = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (t) => seen.push(t.id) });
    await sub.synced;

    const frame = { type: 'stream', timestamp: 1, streamName: S, groupId: 'all', id: 'z', event: { type: 'create', data: { id: 'z' } } };
    server.sendRaw(Buffer.from(JSON.stringify(frame)));

    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['z']);
  });

  it('reports a throwing handler to onError without starving the other subscribers', async () => {
    const seen: string[] = [];
    const bad = client.join<Todo>(
      { stream: S, group: 'all' },
      {
        onCreate: () => {
          throw new Error('boom');
        },
      },
    );
    const good = client.join<Todo>({ stream: S, group: 'all' }, { onCreate: (t) => seen.push(t.id) });
    await Promise.all([bad.synced, good.synced]);

    server.set(S, 'all', 'a', { id: 'a', title: 'x' });

    await waitFor(() => seen.length === 1);
    expect(errors).toEqual([expect.objectContaining({ message: 'boom' })]);
  });

  it('rejects a join without stream or group, or with an empty item', () => {
    expect(() => client.join({ stream: '', group: 'all' })).toThrow(StreamClientError);
    expect(() => client.join({ stream: S, group: '' })).toThrow(expect.objectContaining({ code: 'INVALID_TARGET' }));
    expect(() => client.join({ stream: S, group: 'all', item: '' })).toThrow(expect.objectContaining({ code: 'INVALID_TARGET' }));
  });

  it('fails clearly when no WebSocket implementation is available', () => {
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    g.WebSocket = undefined;
    try {
      const bare = new StreamClient(server.url);
      expect(() => bare.join({ stream: S, group: 'all' })).toThrow(expect.objectContaining({ code: 'NO_WEBSOCKET' }));
    } finally {
      g.WebSocket = saved;
    }
  });

  it('accepts the WebSocket constructor as the second argument', async () => {
    client.close();
    client = new StreamClient(server.url, WebSocket);
    const sub = client.join({ stream: S, group: 'all' });
    expect(await sub.synced).toBe(true);
  });
});

describe('LiveGroup', () => {
  let server: FakeStreamServer;
  let client: StreamClient;

  beforeEach(async () => {
    server = await FakeStreamServer.start();
    client = new StreamClient(server.url, { WebSocket });
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('keeps a Map of the group in step with sync, create, update and delete', async () => {
    server.put(S, 'all', 'a', { id: 'a', title: 'A' });
    const changes: string[] = [];
    const live = new LiveGroup<Todo>(client, { stream: S, group: 'all' }, { onChange: (_m, c) => changes.push(c.type) });
    await live.subscription.synced;

    server.set(S, 'all', 'b', { id: 'b', title: 'B' });
    server.set(S, 'all', 'a', { id: 'a', title: 'A2' });
    server.delete(S, 'all', 'b');

    await waitFor(() => changes.length === 4);
    expect(changes).toEqual(['sync', 'create', 'update', 'delete']);
    expect(live.values()).toEqual([{ id: 'a', title: 'A2' }]);
  });
});

describe('applyStreamMessage', () => {
  const frame = (id: string | null, event: StreamMessage<Todo>['event']): StreamMessage<Todo> => ({
    type: 'stream',
    timestamp: 0,
    streamName: S,
    groupId: 'all',
    id,
    event,
  });

  it('replaces the whole map on sync, using idOf for the values', () => {
    const items = new Map<string, Todo>([['old', { id: 'old', title: 'o' }]]);
    applyStreamMessage(items, frame(null, { type: 'sync', data: [{ id: 'n', title: 'n' }] }));
    expect([...items.keys()]).toEqual(['n']);
  });

  it('skips synced values without a usable id instead of storing them under a bogus key', () => {
    const items = new Map<string, Todo>();
    applyStreamMessage(items, frame(null, { type: 'sync', data: [{ title: 'no id' }, null, { id: 'ok', title: 'ok' }] }));
    expect([...items.keys()]).toEqual(['ok']);
  });

  it('ignores custom events', () => {
    const items = new Map<string, Todo>();
    expect(applyStreamMessage(items, frame(null, { type: 'event', event: { type: 'x', data: 1 } }))).toBeNull();
    expect(items.size).toBe(0);
  });
});
