/**
 * Data channels (spec §10, §6.10). Not a configurable worker in the real engine but part of its
 * core, so `startEngine` always starts this one: it registers `engine::channels::create` under
 * `iii-engine-functions` (where listings show it), serves `/ws/channels/{id}` on every
 * worker-manager listener, drops owned channels on connection cleanup, sweeps half-used channels,
 * and gives `iii-http` its request/response channels.
 */
import type { EngineCore } from '../../core/engine-core';
import { EngineError } from '../../core/errors';
import { isPlainObject } from '../../core/ids';
import type { BuiltinFunction, EngineWorker } from '../../core/types';
import type { HttpChannelHooks } from '../http/types';
import { ENGINE_FUNCTIONS_WORKER } from '../engine-fn';
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
  private readonly endpoint: ChannelEndpoint;
  private sweeper: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(
    private readonly core: EngineCore,
    private readonly options: ChannelsOptions = {},
  ) {
    this.endpoint = new ChannelEndpoint(this.registry, core.logger, { drainMs: options.drainMs });
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`${CHANNELS_WORKER} can only be started once`);
    this.state = 'running';
    this.core.registerBuiltinFunction(ENGINE_FUNCTIONS_WORKER, this.createFunction());
    this.core.upgradeHandlers.push(this.endpoint.handle);
    this.core.connectionCleanupHooks.push(this.dropOwned);
    const maxAge = this.options.maxHalfUsedAgeMs ?? HALF_USED_MAX_AGE_MS;
    this.sweeper = setInterval(() => this.registry.sweep(Date.now(), maxAge), this.options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** Closes every channel socket and drops every channel. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearInterval(this.sweeper);
    removeItem(this.core.upgradeHandlers, this.endpoint.handle);
    removeItem(this.core.connectionCleanupHooks, this.dropOwned);
    this.endpoint.close();
    this.registry.clear();
  }

  /** What `iii-http` needs for `request_body` / `response` (spec §9.2, §9.3). */
  httpHooks(): HttpChannelHooks {
    return createHttpChannelHooks(this.registry, this.core.logger, this.options.http);
  }

  private readonly dropOwned = (workerId: string): void => {
    this.registry.dropOwnedBy(workerId);
  };

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

function removeItem<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

export function createChannelsWorker(core: EngineCore, options?: ChannelsOptions): ChannelsWorker {
  return new ChannelsWorker(core, options);
}
