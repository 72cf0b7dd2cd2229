/**
 * The `iii-stream` worker (engine.md §8): the `stream::*` functions over the engine's KV store, custom
 * stream delegation, the client WebSocket listener, and the `stream`, `stream:join` and
 * `stream:leave` trigger types.
 *
 * Every change event goes the same way, synchronously and in `seq` order: into the group's event
 * log (`event-log.ts`, which numbers it), then to matching `stream` triggers (through
 * `EngineContext.fire`, which keeps per-trigger order), then to subscribed clients.
 */
import { NO_ADAPTERS, type EngineContext, type EngineWorker, type WorkerAdapters, type WorkerFactory } from '../../core/types';
import { StreamBridge } from './bridge/stream-bridge';
import { parseStreamConfig, type StreamWorkerConfig } from './config';
import { StreamEventLog } from './event-log';
import { streamFunctions } from './functions';
import { StreamOperations } from './operations';
import { StreamServer } from './server';
import { StreamStore } from './store';
import { StreamTriggers } from './triggers';
import type { StreamChangeEvent, StreamFrame, StreamMessage } from './types';

export const STREAM_WORKER_NAME = 'iii-stream';

class StreamWorker implements EngineWorker {
  readonly name = STREAM_WORKER_NAME;
  private server: StreamServer | undefined;
  private bridge: StreamBridge | undefined;
  private compaction: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: StreamWorkerConfig,
    private readonly adapters: WorkerAdapters,
  ) {}

  async start(context: EngineContext): Promise<void> {
    if (this.server !== undefined) throw new Error(`${STREAM_WORKER_NAME}: already started`);
    const triggers = new StreamTriggers((functionId) => context.hasFunction(functionId));
    let server: StreamServer | undefined;
    const log = new StreamEventLog(context.storage.database, this.config.eventLog);
    const publish = (frame: StreamFrame<StreamChangeEvent>): void => {
      try {
        const matching = triggers.matching(frame);
        if (matching.length > 0) {
          // Trigger payloads stay the reference engine's envelope; the resume fields are for clients.
          const { seq: _seq, version: _version, ...message } = frame;
          context.fire(matching, message);
        }
      } catch (err) {
        context.logger.error('stream trigger fan-out failed', { error: String(err) });
      }
      server?.publish(frame);
    };
    const operations = new StreamOperations({ context, store: new StreamStore(context.storage.kv), log, publish });
    // Adapter `bridge`: items live on another engine; its events come back through `emit`.
    const emit = (message: StreamMessage<StreamChangeEvent>): void => publish(log.append(message));
    const remote = this.config.bridge;
    const bridge =
      remote &&
      new StreamBridge({
        context,
        emit,
        client: this.adapters.openBridge({ config: remote, owner: STREAM_WORKER_NAME, logger: context.logger }),
      });
    this.bridge = bridge;
    const reader = bridge?.reader(operations) ?? operations;
    server = new StreamServer(
      { context, triggers, operations: reader, log },
      { ...this.config, resumable: context.semantics === 'embedded' },
    );
    this.server = server;
    context.provide('stream-subscribers', { groups: () => server?.subscriberGroups() ?? [] });
    context.registerIdleProbe('clients', () => server?.isFlushed() ?? true);
    // Bind first: a taken port fails the start before anything is registered.
    await server.listen();
    const functions = streamFunctions(operations);
    for (const fn of bridge?.functions(functions) ?? functions) context.registerFunction(fn);
    for (const type of triggers.types()) context.registerTriggerType(bridge?.triggerType(type) ?? type);
    this.compaction = setInterval(() => compact(log, context), compactionInterval(this.config.eventLog.maxAgeMs));
    this.compaction.unref();
  }

  /** New stream connections are refused (503, `Retry-After`); the connected ones keep receiving. */
  drain(): Promise<void> {
    this.server?.drain();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    clearInterval(this.compaction);
    await this.server?.close();
    await this.bridge?.close();
  }

  url(): string | undefined {
    return this.server?.url();
  }

  /** Pages served by this REST listener may open the stream socket (they are the app's own). */
  trustPagesOf(httpUrl: string): void {
    this.server?.origins.trustPagesOf(httpUrl);
  }
}

/** Often enough that events outlive their age by at most a tenth of it (and at most a minute). */
function compactionInterval(maxAgeMs: number): number {
  return Math.max(1000, Math.min(60_000, Math.floor(maxAgeMs / 10)));
}

function compact(log: StreamEventLog, context: EngineContext): void {
  try {
    log.compact(Date.now());
  } catch (err) {
    context.logger.error('stream event log compaction failed', { error: String(err) });
  }
}

export const createStreamWorker: WorkerFactory = (config, adapters = NO_ADAPTERS) => new StreamWorker(parseStreamConfig(config), adapters);

export { parseStreamConfig } from './config';
export type { StreamWorkerConfig } from './config';
export type { StreamMessage, StreamFrame, StreamEvent, StreamChangeEvent, JoinLeaveEvent } from './types';
