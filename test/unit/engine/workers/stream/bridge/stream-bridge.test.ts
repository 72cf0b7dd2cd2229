import type { BuiltinFunction, BuiltinTriggerType, TriggerRecord } from '../../../../../../src/engine/core/types';
import { BridgeClient } from '../../../../../../src/engine/adapters/bridge';
import { StreamBridge } from '../../../../../../src/engine/workers/stream/bridge/stream-bridge';
import { DEFAULT_EVENT_LOG } from '../../../../../../src/engine/workers/stream/config';
import { StreamEventLog } from '../../../../../../src/engine/workers/stream/event-log';
import { streamFunctions } from '../../../../../../src/engine/workers/stream/functions';
import { StreamOperations } from '../../../../../../src/engine/workers/stream/operations';
import { StreamStore } from '../../../../../../src/engine/workers/stream/store';
import { StreamTriggers } from '../../../../../../src/engine/workers/stream/triggers';
import type { StreamChangeEvent, StreamMessage } from '../../../../../../src/engine/workers/stream/types';
import { FakeEngineContext } from '../../../../../fakes/fake-engine-context';
import { fakeFactory, type FakeSdk } from '../../../adapters/bridge/fake-sdk';

const CONFIG = { url: 'ws://remote.test:1', callTimeoutMs: 1_000, connectWaitMs: 100 };

function setup() {
  const context = new FakeEngineContext();
  const emitted: Array<StreamMessage<StreamChangeEvent>> = [];
  const emit = (message: StreamMessage<StreamChangeEvent>): void => void emitted.push(message);
  const factory = fakeFactory();
  const client = new BridgeClient({ config: CONFIG, owner: 'iii-stream', logger: context.logger, connect: factory.connect });
  const bridge = new StreamBridge({ context, emit, client });
  const log = new StreamEventLog(context.storage.database, DEFAULT_EVENT_LOG);
  const operations = new StreamOperations({ context, store: new StreamStore(context.storage.kv), log, publish: emit });
  const functions = new Map<string, BuiltinFunction>(bridge.functions(streamFunctions(operations)).map((fn) => [fn.id, fn]));
  const call = (id: string, data: unknown): Promise<unknown> => Promise.resolve(functions.get(id)?.handler(data, {}));
  return { context, emitted, bridge, operations, call, sdk: factory.sdk() as FakeSdk };
}

function streamTriggerType(bridge: StreamBridge): BuiltinTriggerType {
  const type = new StreamTriggers().types().find((t) => t.id === 'stream');
  if (type === undefined) throw new Error('no stream trigger type');
  return bridge.triggerType(type);
}

function record(id: string, streamName: string): TriggerRecord {
  return { id, trigger_type: 'stream', function_id: 'local::fn', config: { stream_name: streamName } };
}

const change = (streamName: string, data: unknown) => ({
  type: 'stream',
  timestamp: 1,
  streamName,
  groupId: 'g',
  id: 'i',
  event: { type: 'create', data },
});

describe('StreamBridge', () => {
  it('forwards every stream function to the same id on the remote and returns its answer unchanged', async () => {
    const { bridge, call, sdk } = setup();
    sdk.answer('stream::get', () => undefined);
    sdk.answer('stream::list_groups', () => ['g1']);
    sdk.answer('stream::send', () => null);
    await expect(call('stream::get', { stream_name: 's', group_id: 'g', item_id: 'i', _caller_worker_id: 'w' })).resolves.toBeUndefined();
    await expect(call('stream::list_groups', { stream_name: 's' })).resolves.toEqual(['g1']);
    await expect(call('stream::send', { stream_name: 's', group_id: 'g', type: 't', data: 1 })).resolves.toBeNull();
    expect(sdk.calls.map((c) => [c.function_id, c.payload])).toEqual([
      ['stream::get', { stream_name: 's', group_id: 'g', item_id: 'i' }],
      ['stream::list_groups', { stream_name: 's' }],
      ['stream::send', { stream_name: 's', group_id: 'g', type: 't', data: 1 }],
    ]);
    await bridge.close();
  });

  it('announces forwarded writes on the remote stream.events topic, like the reference bridge', async () => {
    const { bridge, call, sdk } = setup();
    sdk.answer('stream::set', () => ({ old_value: null, new_value: { v: 1 } }));
    sdk.answer('stream::get', () => ({ v: 1 }));
    await call('stream::set', { stream_name: 's', group_id: 'g', item_id: 'i', data: { v: 1 } });
    await call('stream::get', { stream_name: 's', group_id: 'g', item_id: 'i' });
    expect(sdk.notifications).toEqual([
      {
        function_id: 'publish',
        payload: {
          topic: 'stream.events',
          data: {
            type: 'stream',
            timestamp: expect.any(Number),
            streamName: 's',
            groupId: 'g',
            id: 'i',
            event: { type: 'create', data: { v: 1 } },
          },
        },
      },
    ]);
    await bridge.close();
  });

  it('announces nothing when the forwarded write fails', async () => {
    const { bridge, call, sdk } = setup();
    sdk.fail('stream::set', 'STREAM_SET_ERROR', 'boom');
    await expect(call('stream::set', { stream_name: 's', group_id: 'g', item_id: 'i', data: 1 })).rejects.toMatchObject({
      code: 'STREAM_SET_ERROR',
      message: 'boom',
    });
    expect(sdk.notifications).toHaveLength(0);
    await bridge.close();
  });

  it('emits nothing locally for a forwarded write (its event comes back through the relay)', async () => {
    const { bridge, call, sdk, emitted } = setup();
    sdk.answer('stream::set', () => ({ old_value: null, new_value: 1 }));
    await call('stream::set', { stream_name: 's', group_id: 'g', item_id: 'i', data: 1 });
    expect(emitted).toHaveLength(0);
    await bridge.close();
  });

  it('leaves a stream with a local custom implementation to that implementation', async () => {
    const { bridge, call, sdk, context } = setup();
    context.registerFunction({ id: 'stream::get(local-only)', handler: () => ({ from: 'custom' }) });
    await expect(call('stream::get', { stream_name: 'local-only', group_id: 'g', item_id: 'i' })).resolves.toEqual({ from: 'custom' });
    expect(sdk.calls).toHaveLength(0);
    await bridge.close();
  });

  it('relays a stream while a local stream trigger needs it, with one remote trigger per stream', async () => {
    const { bridge, sdk } = setup();
    const type = streamTriggerType(bridge);
    await type.provider.register(record('a', 'orders'));
    await type.provider.register(record('b', 'orders'));
    expect(sdk.activeTriggers()).toEqual([
      {
        type: 'stream',
        function_id: expect.stringMatching(/^stream::bridge::on_event::/),
        config: { stream_name: 'orders' },
        active: true,
      },
    ]);
    await type.provider.unregister(record('a', 'orders'));
    expect(sdk.activeTriggers()).toHaveLength(1);
    await type.provider.unregister(record('b', 'orders'));
    expect(sdk.activeTriggers()).toHaveLength(0);
    await bridge.close();
  });

  it('keeps one hold when a trigger id is registered again (SDK replay)', async () => {
    const { bridge, sdk } = setup();
    const type = streamTriggerType(bridge);
    await type.provider.register(record('a', 'orders'));
    await type.provider.register(record('a', 'orders'));
    await type.provider.unregister(record('a', 'orders'));
    expect(sdk.activeTriggers()).toHaveLength(0);
    await bridge.close();
  });

  it('refuses a stream trigger without stream_name before relaying anything', async () => {
    const { bridge, sdk } = setup();
    const type = streamTriggerType(bridge);
    await expect(
      Promise.resolve().then(() => type.provider.register({ id: 'x', trigger_type: 'stream', function_id: 'f', config: {} })),
    ).rejects.toThrow(/stream_name/);
    expect(sdk.triggers).toHaveLength(0);
    await bridge.close();
  });

  it('relays the streams local clients join and reads their sync from the remote', async () => {
    const { bridge, sdk, operations } = setup();
    sdk.answer('stream::list', () => ['remote-item']);
    const reader = bridge.reader(operations);
    await expect(reader.list({ stream_name: 'chat', group_id: 'room' })).resolves.toEqual(['remote-item']);
    await reader.list({ stream_name: 'chat', group_id: 'other-room' });
    expect(sdk.activeTriggers().map((t) => t.config)).toEqual([{ stream_name: 'chat' }]);
    await bridge.close();
  });

  it('hands relayed change events to the local sink', async () => {
    const { bridge, sdk, emitted } = setup();
    const [relay] = [...sdk.functions.values()];
    await relay?.(change('orders', { total: 3 }));
    expect(emitted).toEqual([
      { type: 'stream', timestamp: 1, streamName: 'orders', groupId: 'g', id: 'i', event: { type: 'create', data: { total: 3 } } },
    ]);
    await bridge.close();
  });

  it.each([
    ['a non-object', 'nope'],
    ['a wrong envelope type', { ...change('s', 1), type: 'other' }],
    ['a missing groupId', { ...change('s', 1), groupId: undefined }],
    ['a sync event', { ...change('s', 1), event: { type: 'sync', data: [] } }],
    ['a custom event without a type', { ...change('s', 1), event: { type: 'event', event: { data: 1 } } }],
  ])('rejects %s from the remote without emitting it', async (_what, data) => {
    const { bridge, sdk, emitted } = setup();
    const [relay] = [...sdk.functions.values()];
    await expect(relay?.(data)).rejects.toThrow(/not a stream change message/);
    expect(emitted).toHaveLength(0);
    await bridge.close();
  });

  it('close() shuts the remote connection down', async () => {
    const { bridge, sdk } = setup();
    await bridge.close();
    expect(sdk.shutdowns).toBe(1);
  });
});
