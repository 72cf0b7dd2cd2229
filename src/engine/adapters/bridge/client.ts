/**
 * The bridge's connection to another iii engine: a real iii-sdk worker (`registerWorker`, OTel
 * off) through which `state::*` / `stream::*` calls are forwarded with `trigger()`.
 *
 * The SDK reconnects by itself but, at 0.22.1, offers no connection-state API and leaves an
 * invocation pending until its timeout when the socket drops. So the bridge watches the SDK's
 * connection state (a plain field of the client object, read only) with one shared poll timer
 * while calls are waiting, and turns "not connected" into a prompt `BRIDGE_UNAVAILABLE` instead
 * of a 30 s hang: a call made while (re)connecting waits up to `connectWaitMs`; a call in flight
 * when the connection drops fails at once (the remote may or may not have applied it).
 */
import { randomUUID } from 'node:crypto';
import { registerWorker, type IIIClient, type InitOptions } from 'iii-sdk';
import { EngineError } from '../../core/errors';
import type { EngineLogger } from '../../core/types';
import type { BridgeAdapterConfig } from './config';

export const BRIDGE_UNAVAILABLE = 'BRIDGE_UNAVAILABLE';

/** What the bridge uses of an iii-sdk client (a fake in unit tests). */
export type BridgeSdk = Pick<IIIClient, 'trigger' | 'registerFunction' | 'registerTrigger' | 'shutdown'>;

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Creates the SDK client; replaced in unit tests. */
export type BridgeSdkFactory = (url: string, options: InitOptions) => BridgeSdk;

export interface BridgeClientOptions {
  config: BridgeAdapterConfig;
  /** The worker that owns this bridge (`iii-state`, `iii-stream`): names the remote worker and errors. */
  owner: string;
  logger: EngineLogger;
  connect?: BridgeSdkFactory;
}

/** Reconnect quickly at first, then every few seconds, forever (a bridge never gives up). */
const RECONNECTION = { initialDelayMs: 100, maxDelayMs: 3_000, backoffMultiplier: 2, jitterFactor: 0.3, maxRetries: -1 };
const POLL_MS = 25;

const defaultConnect: BridgeSdkFactory = (url, options) => registerWorker(url, options);

interface Waiter {
  functionId: string;
  deadline: number;
  resolve: () => void;
  reject: (err: EngineError) => void;
}

interface InFlight {
  functionId: string;
  reject: (err: EngineError) => void;
}

/**
 * Reads the SDK's connection state. `undefined` when the field is not there (another SDK
 * version): the bridge then simply relies on the call timeout.
 */
export function connectionStateOf(sdk: BridgeSdk): ConnectionState | undefined {
  const state: unknown = (sdk as unknown as { connectionState?: unknown }).connectionState;
  return typeof state === 'string' ? (state as ConnectionState) : undefined;
}

export class BridgeClient {
  readonly url: string;
  private readonly sdk: BridgeSdk;
  private readonly waiters = new Set<Waiter>();
  private readonly inFlight = new Set<InFlight>();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastState: ConnectionState | undefined;

  constructor(private readonly options: BridgeClientOptions) {
    this.url = options.config.url;
    const connect = options.connect ?? defaultConnect;
    this.sdk = connect(this.url, {
      workerName: `${options.owner} bridge ${randomUUID().slice(0, 8)}`,
      workerDescription: `${options.owner} bridge adapter of an embedded iii engine`,
      otel: { enabled: false },
      enableMetricsReporting: false,
      invocationTimeoutMs: options.config.callTimeoutMs,
      reconnectionConfig: RECONNECTION,
    });
    this.lastState = connectionStateOf(this.sdk);
  }

  /** The SDK's connection state, if it can be read. */
  get state(): ConnectionState | undefined {
    return connectionStateOf(this.sdk);
  }

  /**
   * Calls `functionId` on the remote engine and resolves its result unchanged (`undefined` when
   * the remote sent none). Remote errors keep their code and message; a bridge that is not
   * connected fails with `BRIDGE_UNAVAILABLE`.
   */
  async call(functionId: string, payload: unknown): Promise<unknown> {
    if (this.closing !== undefined) throw this.unavailable(functionId, 'the bridge is shut down');
    await this.whenConnected(functionId);
    // `lost` rejects if the connection drops while this call waits for its answer (see `poll`).
    let reject: (err: EngineError) => void = () => undefined;
    const lost = new Promise<never>((_, fail) => {
      reject = fail;
    });
    const tracked: InFlight = { functionId, reject };
    this.inFlight.add(tracked);
    this.ensureTimer();
    try {
      return await Promise.race([
        this.sdk.trigger({ function_id: functionId, payload, timeoutMs: this.options.config.callTimeoutMs }),
        lost,
      ]);
    } catch (err) {
      throw this.translate(functionId, err);
    } finally {
      this.inFlight.delete(tracked);
      this.stopTimerIfIdle();
    }
  }

  /**
   * Fire-and-forget call (`TriggerAction.Void`): sent only while connected, never answered,
   * failures ignored. Used for notifications nobody waits on.
   */
  notify(functionId: string, payload: unknown): void {
    const state = this.state;
    if (this.closing !== undefined || (state !== undefined && state !== 'connected')) return;
    this.sdk.trigger({ function_id: functionId, payload, action: { type: 'void' } }).catch((err: unknown) => {
      this.options.logger.debug(`${this.options.owner}: bridge notification ${functionId} failed`, { error: String(err) });
    });
  }

  /** Registers a function on the remote engine (kept across reconnects by the SDK). */
  registerFunction(functionId: string, handler: (data: unknown) => Promise<unknown>): void {
    this.sdk.registerFunction(functionId, handler);
  }

  /** Registers a trigger on the remote engine; the returned function unregisters it. */
  registerTrigger(type: string, functionId: string, config: unknown): () => void {
    const trigger = this.sdk.registerTrigger({ type, function_id: functionId, config });
    return () => trigger.unregister();
  }

  /** Idempotent: fails waiting calls with `BRIDGE_UNAVAILABLE` and closes the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const waiter of this.waiters) waiter.reject(this.unavailable(waiter.functionId, 'the bridge is shut down'));
    this.waiters.clear();
    for (const call of this.inFlight) call.reject(this.unavailable(call.functionId, 'the bridge is shut down'));
    this.inFlight.clear();
    this.stopTimerIfIdle();
    try {
      await this.sdk.shutdown();
    } catch (err) {
      this.options.logger.warn(`${this.options.owner}: closing the bridge connection failed`, { error: String(err) });
    }
  }

  private whenConnected(functionId: string): Promise<void> {
    const state = this.state;
    if (state === undefined || state === 'connected') return Promise.resolve();
    if (this.options.config.connectWaitMs === 0) return Promise.reject(this.notConnected(functionId, state));
    return new Promise<void>((resolve, reject) => {
      this.waiters.add({ functionId, deadline: Date.now() + this.options.config.connectWaitMs, resolve, reject });
      this.ensureTimer();
    });
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  private stopTimerIfIdle(): void {
    if (this.timer === undefined || this.waiters.size > 0 || this.inFlight.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the connection: release waiters once connected, fail calls whose connection dropped. */
  private poll(): void {
    const state = this.state;
    if (state !== this.lastState) {
      this.options.logger.debug(`${this.options.owner}: bridge connection ${state ?? 'unknown'}`, { url: this.url });
      this.lastState = state;
    }
    if (state === 'connected' || state === undefined) {
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters.clear();
    } else {
      for (const call of this.inFlight) {
        call.reject(
          this.unavailable(
            call.functionId,
            `the connection to ${this.url} was lost before the answer arrived (the call may or may not have been applied)`,
          ),
        );
      }
      this.inFlight.clear();
      const now = Date.now();
      for (const waiter of this.waiters) {
        if (now < waiter.deadline) continue;
        this.waiters.delete(waiter);
        waiter.reject(this.notConnected(waiter.functionId, state));
      }
    }
    this.stopTimerIfIdle();
  }

  /** Maps what `trigger()` rejected with onto an `EngineError` (remote errors unchanged). */
  private translate(functionId: string, err: unknown): EngineError {
    // Our own rejections (connection lost, shut down) are already EngineErrors.
    if (err instanceof EngineError) return err;
    if (isErrorBody(err)) {
      // The SDK's InvocationError prefixes the remote message with `<code>: `; the remote's own
      // message is what the local caller must see (its SDK adds the prefix again).
      const prefix = `${err.code}: `;
      const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      // The SDK's own timeout (as opposed to an error the remote engine sent back).
      if (err.code === 'TIMEOUT' && message.startsWith('invocation timed out')) {
        return this.unavailable(functionId, `no answer from ${this.url} within ${this.options.config.callTimeoutMs}ms`);
      }
      return EngineError.passThrough(err.code, message, typeof err.stacktrace === 'string' ? err.stacktrace : undefined);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (message === 'iii is shutting down') return this.unavailable(functionId, 'the bridge is shut down');
    return new EngineError('BRIDGE_ERROR', `${this.options.owner}: bridge call ${functionId} failed: ${message}`);
  }

  private notConnected(functionId: string, state: ConnectionState | undefined): EngineError {
    return this.unavailable(
      functionId,
      `not connected to ${this.url} (connection ${state ?? 'unknown'}) after waiting ${this.options.config.connectWaitMs}ms`,
    );
  }

  private unavailable(functionId: string, reason: string): EngineError {
    return new EngineError(BRIDGE_UNAVAILABLE, `${this.options.owner}: bridge unavailable for ${functionId}: ${reason}`);
  }
}

function isErrorBody(value: unknown): value is { code: string; message: string; stacktrace?: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields['code'] === 'string' && typeof fields['message'] === 'string';
}
