/**
 * Data channels (engine.md §10, §6.10). Not a configurable worker in the real engine but part of its
 * core, so the worker table always starts this one: it registers `engine::channels::create`
 * (listed under `iii-engine-functions`), serves `/ws/channels/{id}` on every worker-manager
 * listener, drops owned channels when their worker leaves, sweeps half-used channels, and
 * provides `iii-http` its request/response channels (service `http-channels`).
 */
import { EngineError } from '../../core/errors';
import { isPlainObject } from '../../core/ids';
import type { BuiltinFunction, EngineContext, EngineWorker } from '../../core/types';
import { ChannelEndpoint } from './endpoint';
import { createHttpChannelHooks, type HttpChannelOptions } from './http-hooks';
import { ChannelRegistry, clampCapacity, DEFAULT_CAPACITY, HALF_USED_MAX_AGE_MS } from './registry';

export { Channel, type ChannelItem, type ChannelRef } from './channel';
export { ChannelRegistry, DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY } from './registry';
export { ChannelEndpoint } from './endpoint';
export { createHttpChannelHooks } from './http-hooks';
export { streamResponse, type StreamOutcome } from './response-stream';

export const CHANNELS_WORKER = 'iii-channels';
export const CREATE_CHANNEL_FUNCTION = 'engine::channels::create';

export interface ChannelsOptions {
  /** How often half-used channels are swept (default 60 s). */
  sweepIntervalMs?: number;
  /** Age after which a half-used channel is dropped (default 5 min). */
  maxHalfUsedAgeMs?: number;
  /** Writer Close drain window (default 10 ms). */
  drainMs?: number;
  http?: HttpChannelOptions;
}

/** `{buffer_size?}` → capacity; a wrong type is a `deserialization_error` like the engine's serde. */
export function parseBufferSize(data: unknown): number {
  if (data === undefined || data === null) return DEFAULT_CAPACITY;
  if (!isPlainObject(data)) throw inputError('invalid type: expected a map');
  const size = data.buffer_size;
  if (size === undefined || size === null) return DEFAULT_CAPACITY;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw inputError('invalid value for `buffer_size`: expected a non-negative integer');
  }
  return clampCapacity(size);
}

function inputError(message: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input for ${CREATE_CHANNEL_FUNCTION}: ${message}`);
}

export class ChannelsWorker implements EngineWorker {
  readonly name = CHANNELS_WORKER;
  readonly registry = new ChannelRegistry();
  private endpoint: ChannelEndpoint | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly unregister: Array<() => void> = [];

  constructor(private readonly options: ChannelsOptions = {}) {}

  /**
   * Registers `engine::channels::create` (listed under `iii-engine-functions`), serves
   * `/ws/channels/{id}`, drops a leaving worker's channels, and provides `http-channels`.
   */
  async start(context: EngineContext): Promise<void> {
    if (this.state !== 'new') throw new Error(`${CHANNELS_WORKER} can only be started once`);
    this.state = 'running';
    const endpoint = (this.endpoint = new ChannelEndpoint(this.registry, context.logger, { drainMs: this.options.drainMs }));
    context.registerFunction(this.createFunction());
    this.unregister.push(context.serveUpgrade(endpoint.handle));
    this.unregister.push(context.onWorkerLeft((workerId) => this.registry.dropOwnedBy(workerId)));
    context.provide('http-channels', createHttpChannelHooks(this.registry, context.logger, this.options.http));
    const maxAge = this.options.maxHalfUsedAgeMs ?? HALF_USED_MAX_AGE_MS;
    this.sweeper = setInterval(() => this.registry.sweep(Date.now(), maxAge), this.options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** Closes every channel socket and drops every channel. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearInterval(this.sweeper);
    for (const undo of this.unregister.splice(0)) undo();
    this.endpoint?.close();
    this.registry.clear();
  }

  private createFunction(): BuiltinFunction {
    return {
      id: CREATE_CHANNEL_FUNCTION,
      description: 'Create a data channel pair (writer and reader refs)',
      handler: (data) => {
        const channel = this.registry.create(parseBufferSize(data));
        return { writer: channel.ref('write'), reader: channel.ref('read') };
      },
    };
  }
}

export function createChannelsWorker(options?: ChannelsOptions): ChannelsWorker {
  return new ChannelsWorker(options);
}
