/**
 * `iii-stream` with adapter `bridge` (engine.md §7.4, §8): what the stream worker swaps in when its
 * items live on another engine.
 *
 * - `stream::*` calls are forwarded to the remote's function of the same id and answered with
 *   its result or error unchanged (validation is the remote's). A custom stream registered *here*
 *   (`stream::<op>(<name>)`, engine.md §8.2) still wins: those calls go to the local handler as before.
 * - Writes emit nothing locally; change events come back through the `StreamRelay` for every
 *   stream a local `stream` trigger or a local WebSocket client uses, so both see each change
 *   once, whoever made it. Each forwarded write is also announced on the remote's
 *   `stream.events` topic, for reference-engine bridges sharing the remote (`stream-announce.ts`).
 */
import type { BuiltinFunction, BuiltinTriggerType, EngineContext } from '../../../core/types';
import { customFunctionId, type CustomOperation } from '../custom';
import type { ChangeSink, StreamOperations } from '../operations';
import { parseStreamTriggerConfig, STREAM_TRIGGER_TYPE } from '../triggers';
import type { GroupRef, ItemRef } from '../types';
import type { BridgeClient } from '../../../adapters/bridge/client';
import { forwardPayload, stringField } from '../../../adapters/bridge/payload';
import { announcement, STREAM_EVENTS_TOPIC } from './stream-announce';
import { StreamRelay } from './stream-relay';

/** What the stream listener reads for a join's `sync`. */
export type StreamReader = Pick<StreamOperations, 'get' | 'list'>;

/** The custom-stream operation behind each forwarded function (`list_all`/`send` have none). */
const CUSTOM_OPERATION: Readonly<Record<string, CustomOperation>> = {
  'stream::set': 'set',
  'stream::get': 'get',
  'stream::delete': 'delete',
  'stream::list': 'list',
  'stream::list_groups': 'list_groups',
  'stream::update': 'update',
};

export interface StreamBridgeOptions {
  context: Pick<EngineContext, 'hasFunction' | 'logger'>;
  /** The connection to the remote engine (opened by the worker table's adapters, owned by this bridge). */
  client: BridgeClient;
  /** Where relayed change events go (local `stream` triggers, then subscribed clients). */
  emit: ChangeSink;
}

export class StreamBridge {
  readonly client: BridgeClient;
  private readonly relay: StreamRelay;
  /** Local `stream` trigger id → release of its relay hold. */
  private readonly triggerHolds = new Map<string, () => void>();
  /** Streams local clients joined; relayed until shutdown (the listener has no leave hook for us). */
  private readonly joined = new Set<string>();

  constructor(private readonly options: StreamBridgeOptions) {
    this.client = options.client;
    this.relay = new StreamRelay(this.client, options.emit, options.context.logger);
  }

  /** The stream worker's functions with their handlers replaced by forwarding ones. */
  functions(local: readonly BuiltinFunction[]): BuiltinFunction[] {
    return local.map((fn) => ({ ...fn, handler: this.forwarding(fn) }));
  }

  /** The join-sync reader: starts relaying the stream, then reads through the bridge. */
  reader(local: StreamReader): StreamReader {
    return {
      get: (ref: ItemRef) => {
        this.watchJoined(ref.stream_name);
        if (this.isCustom('get', ref.stream_name)) return local.get(ref);
        return this.client.call('stream::get', { stream_name: ref.stream_name, group_id: ref.group_id, item_id: ref.item_id });
      },
      list: (ref: GroupRef) => {
        this.watchJoined(ref.stream_name);
        if (this.isCustom('list', ref.stream_name)) return local.list(ref);
        return this.client.call('stream::list', { stream_name: ref.stream_name, group_id: ref.group_id });
      },
    };
  }

  /** Wraps the `stream` trigger type so each local trigger keeps its stream relayed. */
  triggerType(type: BuiltinTriggerType): BuiltinTriggerType {
    if (type.id !== STREAM_TRIGGER_TYPE) return type;
    const inner = type.provider;
    return {
      ...type,
      provider: {
        register: async (record) => {
          await inner.register(record);
          const release = this.relay.hold(parseStreamTriggerConfig(record.config).streamName);
          this.triggerHolds.get(record.id)?.();
          this.triggerHolds.set(record.id, release);
        },
        unregister: async (record) => {
          await inner.unregister(record);
          this.triggerHolds.get(record.id)?.();
          this.triggerHolds.delete(record.id);
        },
      },
    };
  }

  close(): Promise<void> {
    this.relay.close();
    this.triggerHolds.clear();
    return this.client.close();
  }

  private forwarding(fn: BuiltinFunction): BuiltinFunction['handler'] {
    const operation = CUSTOM_OPERATION[fn.id];
    return async (data, invocation) => {
      if (operation !== undefined) {
        const streamName = stringField(data, 'stream_name');
        if (streamName !== undefined && this.isCustom(operation, streamName)) return fn.handler(data, invocation);
      }
      const payload = forwardPayload(data);
      const result = await this.client.call(fn.id, payload);
      const message = announcement(fn.id, payload, result);
      if (message !== undefined) this.client.notify('publish', { topic: STREAM_EVENTS_TOPIC, data: message });
      return result;
    };
  }

  private isCustom(operation: CustomOperation, streamName: string): boolean {
    return this.options.context.hasFunction(customFunctionId(operation, streamName));
  }

  private watchJoined(streamName: string): void {
    if (this.joined.has(streamName)) return;
    this.relay.hold(streamName);
    // Remembered only if the relay took it (it refuses past its limit; a later join retries).
    if (this.relay.isWatching(streamName)) this.joined.add(streamName);
  }
}
