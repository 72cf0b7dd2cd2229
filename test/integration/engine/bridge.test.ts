/**
 * Adapter `bridge` end to end: a backend engine holds the data; a second engine whose `iii-state`
 * and `iii-stream` use adapter `bridge` forwards to it. Everything is driven through real iii-sdk
 * workers and a raw WebSocket client on the bridge engine's stream port.
 */
import { createServer } from 'node:net';
import WebSocket from 'ws';
import type { EngineConfig } from '../../../src/engine';
import {
  connectWorker,
  recordSdkConnectionErrors,
  startTestEngine,
  waitFor,
  waitForTrigger,
  type EngineHandle,
  type IIIClient,
} from '../support/engine';

const BACKEND: EngineConfig = {
  workers: [
    { name: 'iii-worker-manager', config: {} },
    { name: 'iii-state', config: { adapter: { name: 'kv', config: { store_method: 'in_memory' } } } },
    { name: 'iii-stream', config: { adapter: { name: 'kv', config: { store_method: 'in_memory' } } } },
    { name: 'iii-pubsub', config: { adapter: { name: 'local' } } },
  ],
};

function bridgeConfig(url: string, extra: Record<string, unknown> = {}): EngineConfig {
  const adapter = { name: 'bridge', config: { bridge_url: url, ...extra } };
  return {
    workers: [
      { name: 'iii-worker-manager', config: {} },
      { name: 'iii-stream', config: { adapter } },
      { name: 'iii-state', config: { adapter } },
    ],
  };
}

type Frame = { streamName: string; groupId: string; id: string | null; event: { type: string; data?: unknown } };

/** A raw stream-port client that records every frame. */
class StreamClient {
  readonly frames: Frame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => this.frames.push(JSON.parse(String(raw)) as Frame));
    socket.on('error', () => undefined);
  }

  static open(url: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new StreamClient(socket)));
      socket.once('error', reject);
    });
  }

  join(subscriptionId: string, streamName: string, groupId: string): void {
    this.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName, groupId } }));
  }

  async frame(index: number): Promise<Frame> {
    await waitFor(() => this.frames.length > index, { description: `stream frame #${index}` });
    return this.frames[index] as Frame;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.terminate();
    });
  }
}

/** A TCP port nobody listens on (bound, then released). */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('bridge adapter (iii-state / iii-stream forwarded to another engine)', () => {
  let backend: EngineHandle;
  let bridge: EngineHandle;
  let remote: IIIClient;
  let local: IIIClient;

  beforeAll(async () => {
    backend = await startTestEngine({ config: BACKEND });
    bridge = await startTestEngine({ config: bridgeConfig(backend.urls.worker) });
    remote = connectWorker(backend.urls.worker, { workerName: 'on-backend' });
    local = connectWorker(bridge.urls.worker, { workerName: 'on-bridge' });
  });

  afterAll(async () => {
    await Promise.all([remote.shutdown(), local.shutdown()]);
    await bridge.close();
    await backend.close();
  });

  describe('state', () => {
    it('stores a value set through the bridge in the backend and answers {old_value, new_value}', async () => {
      const set = await local.trigger({ function_id: 'state::set', payload: { scope: 'b-state', key: 'k1', value: { n: 1 } } });
      expect(set).toEqual({ old_value: null, new_value: { n: 1 } });
      await expect(remote.trigger({ function_id: 'state::get', payload: { scope: 'b-state', key: 'k1' } })).resolves.toEqual({ n: 1 });
    });

    it('reads what the backend holds and keeps an absent result absent', async () => {
      await remote.trigger({ function_id: 'state::set', payload: { scope: 'b-read', key: 'k', value: 'from-backend' } });
      await expect(local.trigger({ function_id: 'state::get', payload: { scope: 'b-read', key: 'k' } })).resolves.toBe('from-backend');
      await expect(local.trigger({ function_id: 'state::get', payload: { scope: 'b-read', key: 'missing' } })).resolves.toBeUndefined();
      await expect(local.trigger({ function_id: 'state::delete', payload: { scope: 'b-read', key: 'missing' } })).resolves.toBeUndefined();
    });

    it('forwards delete, update, list and list_groups with the backend results', async () => {
      const scope = `b-ops-${Date.now()}`;
      await local.trigger({ function_id: 'state::set', payload: { scope, key: 'a', value: { count: 0 } } });
      await local.trigger({ function_id: 'state::set', payload: { scope, key: 'b', value: 2 } });
      const updated = await local.trigger({
        function_id: 'state::update',
        payload: { scope, key: 'a', ops: [{ type: 'increment', path: 'count', by: 5 }] },
      });
      expect(updated).toEqual({ old_value: { count: 0 }, new_value: { count: 5 } });
      await expect(local.trigger({ function_id: 'state::list', payload: { scope } })).resolves.toEqual([{ count: 5 }, 2]);
      const groups = await local.trigger<unknown, { groups: string[] }>({ function_id: 'state::list_groups', payload: {} });
      expect(groups.groups).toContain(scope);
      await expect(local.trigger({ function_id: 'state::delete', payload: { scope, key: 'b' } })).resolves.toBe(2);
      await expect(remote.trigger({ function_id: 'state::list', payload: { scope } })).resolves.toEqual([{ count: 5 }]);
    });

    it('returns the backend error with its code and message unchanged', async () => {
      const payload = { scope: 'b-err' };
      const direct = await remote.trigger({ function_id: 'state::set', payload }).catch((err: unknown) => err);
      const bridged = await local.trigger({ function_id: 'state::set', payload }).catch((err: unknown) => err);
      expect(bridged).toMatchObject({ code: 'deserialization_error' });
      expect(bridged).toMatchObject({ code: (direct as { code: string }).code, message: (direct as { message: string }).message });
    });

    it('fires local state triggers for writes made through the bridge', async () => {
      const events: unknown[] = [];
      local.registerFunction('bridge-test::on-state', async (event) => {
        events.push(event);
        return null;
      });
      local.registerTrigger({ type: 'state', function_id: 'bridge-test::on-state', config: { scope: 'b-trig', key: 'k' } });
      await waitForTrigger(local, 'bridge-test::on-state');
      await local.trigger({ function_id: 'state::set', payload: { scope: 'b-trig', key: 'k', value: 1 } });
      await local.trigger({ function_id: 'state::set', payload: { scope: 'b-trig', key: 'k', value: 2 } });
      await local.trigger({ function_id: 'state::delete', payload: { scope: 'b-trig', key: 'k' } });
      await waitFor(() => events.length >= 3, { description: 'three state events' });
      expect(events).toEqual([
        { type: 'state', event_type: 'state:created', scope: 'b-trig', key: 'k', old_value: null, new_value: 1 },
        { type: 'state', event_type: 'state:updated', scope: 'b-trig', key: 'k', old_value: 1, new_value: 2 },
        { type: 'state', event_type: 'state:deleted', scope: 'b-trig', key: 'k', old_value: 2, new_value: null },
      ]);
    });
  });

  describe('stream', () => {
    const item = (group: string, id: string) => ({ stream_name: 'b-stream', group_id: group, item_id: id });

    it('stores items set through the bridge in the backend and forwards get/delete/list', async () => {
      const group = `g-${Date.now()}`;
      await expect(local.trigger({ function_id: 'stream::set', payload: { ...item(group, 'i1'), data: { v: 1 } } })).resolves.toEqual({
        old_value: null,
        new_value: { v: 1 },
      });
      await local.trigger({ function_id: 'stream::set', payload: { ...item(group, 'i2'), data: { v: 2 } } });
      await expect(remote.trigger({ function_id: 'stream::get', payload: item(group, 'i1') })).resolves.toEqual({ v: 1 });
      await expect(local.trigger({ function_id: 'stream::list', payload: { stream_name: 'b-stream', group_id: group } })).resolves.toEqual([
        { v: 1 },
        { v: 2 },
      ]);
      await expect(local.trigger({ function_id: 'stream::delete', payload: item(group, 'i1') })).resolves.toEqual({ old_value: { v: 1 } });
      await expect(local.trigger({ function_id: 'stream::get', payload: item(group, 'i1') })).resolves.toBeUndefined();
      await expect(remote.trigger({ function_id: 'stream::get', payload: item(group, 'i1') })).resolves.toBeUndefined();
      await expect(local.trigger({ function_id: 'stream::list_groups', payload: { stream_name: 'b-stream' } })).resolves.toContain(group);
    });

    it('syncs a stream client on the bridge engine from the backend and relays every change once', async () => {
      const group = `ws-${Date.now()}`;
      await remote.trigger({ function_id: 'stream::set', payload: { ...item(group, 'x'), data: 'before' } });
      const client = await StreamClient.open(bridge.urls.stream as string);
      try {
        client.join('sub-1', 'b-stream', group);
        expect((await client.frame(0)).event).toEqual({ type: 'sync', data: ['before'] });
        // A write made directly on the backend, then one made through the bridge.
        await remote.trigger({ function_id: 'stream::set', payload: { ...item(group, 'x'), data: 'direct' } });
        expect(await client.frame(1)).toMatchObject({
          streamName: 'b-stream',
          groupId: group,
          id: 'x',
          event: { type: 'update', data: 'direct' },
        });
        await local.trigger({ function_id: 'stream::set', payload: { ...item(group, 'y'), data: 'bridged' } });
        expect(await client.frame(2)).toMatchObject({ id: 'y', event: { type: 'create', data: 'bridged' } });
        await local.trigger({ function_id: 'stream::send', payload: { stream_name: 'b-stream', group_id: group, type: 'ping', data: 7 } });
        expect((await client.frame(3)).event).toEqual({ type: 'event', event: { type: 'ping', data: 7 } });
        expect(client.frames).toHaveLength(4);
      } finally {
        await client.close();
      }
    });

    it('fires local stream triggers for changes that happen on the backend', async () => {
      const events: Array<{ event: { type: string; data: unknown } }> = [];
      local.registerFunction('bridge-test::on-stream', async (message) => {
        events.push(message as { event: { type: string; data: unknown } });
        return null;
      });
      local.registerTrigger({ type: 'stream', function_id: 'bridge-test::on-stream', config: { stream_name: 'b-watched' } });
      await waitForTrigger(local, 'bridge-test::on-stream');
      // The relay's remote trigger is registered asynchronously: write until an event comes home.
      await waitFor(
        async () => {
          await remote.trigger({ function_id: 'stream::set', payload: { stream_name: 'b-watched', group_id: 'g', item_id: 'i', data: 1 } });
          return events.length > 0;
        },
        { description: 'a relayed stream event', intervalMs: 50 },
      );
      expect(events[0]).toMatchObject({ type: 'stream', streamName: 'b-watched', groupId: 'g', id: 'i' });
    });
  });

  describe('stream announcements', () => {
    it('publishes writes made through the bridge on the backend topic stream.events (reference bridge wire)', async () => {
      const seen: unknown[] = [];
      remote.registerFunction('bridge-test::on-stream-events', async (data) => {
        seen.push(data);
        return null;
      });
      remote.registerTrigger({ type: 'subscribe', function_id: 'bridge-test::on-stream-events', config: { topic: 'stream.events' } });
      await waitForTrigger(remote, 'bridge-test::on-stream-events');
      await local.trigger({ function_id: 'stream::set', payload: { stream_name: 'b-announced', group_id: 'g', item_id: 'i', data: 5 } });
      await waitFor(() => seen.length > 0, { description: 'a stream.events message on the backend' });
      expect(seen[0]).toMatchObject({
        type: 'stream',
        streamName: 'b-announced',
        groupId: 'g',
        id: 'i',
        event: { type: 'create', data: 5 },
      });
    });
  });

  describe('when the remote engine is down', () => {
    // The bridge's iii-sdk client reports each refused connection attempt with console.error;
    // here that is expected, so it is recorded instead of printed.
    let sdkErrors: jest.SpyInstance;
    beforeEach(() => {
      sdkErrors = recordSdkConnectionErrors();
    });
    afterEach(() => sdkErrors.mockRestore());

    it('fails state and stream calls with BRIDGE_UNAVAILABLE instead of hanging, and stays up', async () => {
      const port = await unusedPort();
      const orphan = await startTestEngine({ config: bridgeConfig(`ws://127.0.0.1:${port}`, { connect_wait_ms: 200 }) });
      const worker = connectWorker(orphan.urls.worker);
      try {
        const started = Date.now();
        await expect(worker.trigger({ function_id: 'state::get', payload: { scope: 's', key: 'k' } })).rejects.toMatchObject({
          code: 'BRIDGE_UNAVAILABLE',
          message: expect.stringContaining(`ws://127.0.0.1:${port}`),
        });
        await expect(worker.trigger({ function_id: 'stream::list', payload: { stream_name: 's', group_id: 'g' } })).rejects.toMatchObject({
          code: 'BRIDGE_UNAVAILABLE',
        });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(sdkErrors.mock.calls.map((call) => String(call[1]))).toContainEqual(expect.stringContaining('ECONNREFUSED'));
        // The engine itself still answers.
        await expect(worker.trigger({ function_id: 'engine::functions::list', payload: {} })).resolves.toHaveProperty('functions');
      } finally {
        await worker.shutdown();
        await orphan.close();
      }
    });

    it('reconnects by itself once the remote engine is back', async () => {
      const first = await startTestEngine({ config: BACKEND });
      const port = portOf(first.urls.worker);
      const edge = await startTestEngine({ config: bridgeConfig(first.urls.worker, { connect_wait_ms: 100 }) });
      const worker = connectWorker(edge.urls.worker);
      let second: EngineHandle | undefined;
      try {
        await waitFor(() => worker.trigger({ function_id: 'state::set', payload: { scope: 'r', key: 'k', value: 1 } }));
        await first.close();
        await waitFor(
          async () =>
            (await worker
              .trigger({ function_id: 'state::get', payload: { scope: 'r', key: 'k' } })
              .catch((err: { code?: string }) => err.code)) === 'BRIDGE_UNAVAILABLE',
          { description: 'BRIDGE_UNAVAILABLE while the remote is down' },
        );
        second = await startTestEngine({ config: BACKEND, ports: { worker: port } });
        await waitFor(
          async () => (await worker.trigger({ function_id: 'state::set', payload: { scope: 'r', key: 'k', value: 2 } })) !== undefined,
          { timeoutMs: 10_000, description: 'the bridge to reconnect' },
        );
        // The new backend started empty: the value came through the reconnected bridge.
        const direct = connectWorker(second.urls.worker);
        try {
          await expect(direct.trigger({ function_id: 'state::get', payload: { scope: 'r', key: 'k' } })).resolves.toBe(2);
        } finally {
          await direct.shutdown();
        }
      } finally {
        await worker.shutdown();
        await edge.close();
        await second?.close();
        await first.close();
      }
    });
  });
});
