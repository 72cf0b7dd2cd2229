/**
 * The `iii-stream` worker (spec §8): the `stream::*` functions over the engine's KV store, custom
 * stream delegation, the client WebSocket listener, and the `stream`, `stream:join` and
 * `stream:leave` trigger types.
 *
 * Every change event goes the same way, synchronously and in write order: matching `stream`
 * triggers (through `EngineContext.fire`, which keeps per-trigger order), then subscribed clients.
 */
import type { EngineContext, EngineWorker, WorkerFactory } from '../../core/types';
import { StreamBridge } from '../bridge';
import { parseStreamConfig, type StreamWorkerConfig } from './config';
import { streamFunctions } from './functions';
import { StreamOperations } from './operations';
import { StreamServer } from './server';
import { StreamStore } from './store';
import { StreamTriggers } from './triggers';
import type { StreamChangeEvent, StreamMessage } from './types';

export const STREAM_WORKER_NAME = 'iii-stream';

class StreamWorker implements EngineWorker {
  readonly name = STREAM_WORKER_NAME;
  private server: StreamServer | undefined;
  private bridge: StreamBridge | undefined;

  constructor(private readonly config: StreamWorkerConfig) {}

  async start(context: EngineContext): Promise<void> {
    if (this.server !== undefined) throw new Error(`${STREAM_WORKER_NAME}: already started`);
    const triggers = new StreamTriggers();
    let server: StreamServer | undefined;
    const emit = (message: StreamMessage<StreamChangeEvent>): void => {
      try {
        const matching = triggers.matching(message);
        if (matching.length > 0) context.fire(matching, message);
      } catch (err) {
        context.logger.error('stream trigger fan-out failed', { error: String(err) });
      }
      server?.publish(message);
    };
    const operations = new StreamOperations({ context, store: new StreamStore(context.storage.kv), emit });
    // Adapter `bridge`: items live on another engine; its events come back through `emit`.
    const bridge = this.config.bridge && new StreamBridge({ context, config: this.config.bridge, emit });
    this.bridge = bridge;
    server = new StreamServer({ context, triggers, operations: bridge?.reader(operations) ?? operations }, this.config);
    this.server = server;
    // Bind first: a taken port fails the start before anything is registered.
    await server.listen();
    const functions = streamFunctions(operations);
    for (const fn of bridge?.functions(functions) ?? functions) context.registerFunction(fn);
    for (const type of triggers.types()) context.registerTriggerType(bridge?.triggerType(type) ?? type);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    await this.bridge?.close();
  }

  url(): string | undefined {
    return this.server?.url();
  }
}

export const createStreamWorker: WorkerFactory = (config) => new StreamWorker(parseStreamConfig(config));

export { parseStreamConfig } from './config';
export type { StreamWorkerConfig } from './config';
export type { StreamMessage, StreamEvent, StreamChangeEvent, JoinLeaveEvent } from './types';
