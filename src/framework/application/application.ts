import type { IIIClient } from 'iii-sdk';
import type { InstanceRecord, Injector } from '../container/injector';
import { FrameworkError } from '../errors';
import type { Logger } from '../logger';
import type { Token } from '../metadata/types';
import { checkEnhancers } from '../decorators/enhancers';
import {
  NO_GLOBALS,
  type EnhancerKind,
  type FilterRef,
  type GlobalEnhancers,
  type GuardRef,
  type InterceptorRef,
  type PipeRef,
} from '../pipeline/types';
import type { EngineConnection, EngineUrls } from './engine-connection';
import type { TriggerDefinition } from './explorer';
import { EngineCapabilities } from './capabilities';
import { runHook } from './lifecycle';
import { Registrar } from './registrar';
import { settleByObserving } from './settle';

export interface ApplicationParts {
  readonly injector: Injector;
  readonly records: readonly InstanceRecord[];
  readonly definitions: readonly TriggerDefinition[];
  /** Rebuilds the definitions with global enhancers (`useGlobalPipes`, ...). */
  readonly explore: (globals: GlobalEnhancers) => readonly TriggerDefinition[];
  readonly client: IIIClient;
  readonly engine: EngineConnection;
  readonly logger: Logger;
  /** Bound on the engine round trip `listen()` uses to confirm the registrations landed. */
  readonly readyTimeoutMs: number;
  /** What a shutdown signal does once the app is closed (default: re-raise it). */
  readonly onSignalClosed?: (signal: NodeJS.Signals) => void;
  /** How long `close()` lets handler calls in flight finish before the worker goes away. */
  readonly drainTimeoutMs?: number;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

/** A bootstrapped application: one iii-sdk worker carrying every controller's functions. */
export class IIIApplication {
  private closing: Promise<void> | undefined;
  private listening: Promise<this> | undefined;
  private readonly registrar: Registrar;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private globals: GlobalEnhancers = NO_GLOBALS;
  private defs: readonly TriggerDefinition[];

  constructor(private readonly parts: ApplicationParts) {
    this.registrar = new Registrar(parts.client);
    this.defs = parts.definitions;
  }

  /** Guards for every trigger, before the controller's and the method's own. Call before `listen()`. */
  useGlobalGuards(...guards: GuardRef[]): this {
    return this.addGlobals('guards', guards);
  }

  /** Interceptors around every trigger, outside the controller's and the method's own. Call before `listen()`. */
  useGlobalInterceptors(...interceptors: InterceptorRef[]): this {
    return this.addGlobals('interceptors', interceptors);
  }

  /** Pipes for every decorated parameter, before the controller's, method's and parameter's own. Call before `listen()`. */
  useGlobalPipes(...pipes: PipeRef[]): this {
    return this.addGlobals('pipes', pipes);
  }

  /** Exception filters asked after the method's and the controller's own. Call before `listen()`. */
  useGlobalFilters(...filters: FilterRef[]): this {
    return this.addGlobals('filters', filters);
  }

  /** Invokers are built once: adding globals rebuilds them, so it is refused once they are registered. */
  private addGlobals(kind: EnhancerKind, refs: readonly unknown[]): this {
    const name = `useGlobal${kind.charAt(0).toUpperCase()}${kind.slice(1)}()`;
    if (this.listening !== undefined || this.closing !== undefined) {
      throw new FrameworkError('ENHANCERS_TOO_LATE', `${name} after listen(): the triggers are registered; call it before listen().`);
    }
    checkEnhancers(name, kind, refs);
    this.globals = { ...this.globals, [kind]: [...this.globals[kind], ...refs] };
    this.defs = this.parts.explore(this.globals);
    return this;
  }

  /** Engine URLs in use: worker protocol, and (embedded engine or env) REST and stream ports. */
  get urls(): EngineUrls {
    return this.parts.engine.urls;
  }

  /** The functions and triggers this application registers. */
  get definitions(): readonly TriggerDefinition[] {
    return this.defs;
  }

  get client(): IIIClient {
    return this.parts.client;
  }

  /** A provider or controller instance (root module scope first, then any module). */
  get<T>(token: Token<T>): T {
    return this.parts.injector.get(token);
  }

  /**
   * Registers every function and trigger, waits for the engine to have applied them (one round
   * trip on the same socket: the engine handles a connection's frames in order), then runs
   * `onApplicationBootstrap`. Idempotent.
   */
  listen(): Promise<this> {
    if (this.closing !== undefined) {
      return Promise.reject(new FrameworkError('APPLICATION_CLOSED', 'listen() after close()'));
    }
    this.listening ??= this.start();
    return this.listening;
  }

  private async start(): Promise<this> {
    // Before any handler can run: reactions key their writes only on an engine that applies the keys.
    await this.parts.injector.get(EngineCapabilities).detect(this.parts.client, this.parts.readyTimeoutMs);
    this.registrar.register(this.defs);
    await this.awaitEngine();
    await runHook(this.parts.records, 'onApplicationBootstrap', this.parts.logger);
    this.parts.logger.log(`listening: ${this.defs.length} function(s) on ${this.urls.worker}`);
    return this;
  }

  /**
   * Resolves once the engine has nothing due: every state reaction caught up with the writes made
   * so far (retries not yet due excepted), no queue job running, every fired trigger (pub/sub,
   * cron, stream) handled, and every stream frame caused so far written to the connected clients'
   * sockets. For tests and tools. On the engine this application embeds, and on one that offers
   * `engine::settle` (detected through `engine::capabilities`), the engine says so; on an engine
   * without it (a real iii engine) it waits until round trips to the engine pass with no handler
   * call of this process running or arriving (`./settle.ts`). Rejects with `SETTLE_TIMEOUT` after
   * `timeoutMs`.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const { engine, client, injector } = this.parts;
    if (engine.settle !== null) {
      await engine.settle(timeoutMs);
    } else if (injector.get(EngineCapabilities).engineSettle) {
      await client.trigger({ function_id: 'engine::settle', payload: { timeout_ms: timeoutMs }, timeoutMs: timeoutMs + 1_000 });
    } else {
      await settleByObserving(
        {
          roundTrip: (ms) => this.roundTrip(ms),
          callsStarted: () => this.registrar.callsStarted,
          drain: (ms) => this.registrar.drain(ms),
        },
        timeoutMs,
      );
    }
  }

  /** SIGINT/SIGTERM (or `signals`) close the application gracefully. */
  enableShutdownHooks(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): this {
    for (const signal of signals) {
      if (this.signalHandlers.has(signal)) continue;
      const handler = (): void => {
        this.parts.logger.log(`${signal} received, closing`);
        void this.close(signal).finally(() => (this.parts.onSignalClosed ?? reRaise)(signal));
      };
      this.signalHandlers.set(signal, handler);
      process.once(signal, handler);
    }
    return this;
  }

  /**
   * Destroy hooks; unregister triggers (no new fires), let handler calls in flight finish (bounded);
   * unregister functions, shut the worker down, shutdown hooks, stop the embedded engine. Safe to
   * call many times (later calls await the first).
   */
  close(signal?: string): Promise<void> {
    this.closing ??= this.shutdown(signal);
    return this.closing;
  }

  private async shutdown(signal: string | undefined): Promise<void> {
    for (const [sig, handler] of this.signalHandlers) process.removeListener(sig, handler);
    this.signalHandlers.clear();
    const { records, logger, client, engine } = this.parts;
    await this.stopAccepting();
    await runHook(records, 'onModuleDestroy', logger, signal);
    await this.drain();
    this.registrar.unregisterAll();
    await client.shutdown().catch((e: unknown) => logger.error(`worker shutdown failed: ${String(e)}`));
    await runHook(records, 'onApplicationShutdown', logger, signal);
    if (engine.close !== null) await engine.close().catch((e: unknown) => logger.error(`engine close failed: ${String(e)}`));
  }

  /**
   * An embedded engine first stops taking requests and stream connections (503 with `Retry-After`,
   * so a client retries instead of reading a 404 from routes already unregistered), answers those
   * in flight, and lets the reactions they caused run (both bounded by `drainTimeoutMs`). An
   * engine we do not own keeps serving: there, the routes are unregistered as before.
   */
  private async stopAccepting(): Promise<void> {
    const { engine, logger } = this.parts;
    if (this.listening === undefined || engine.drain === undefined || engine.drain === null) return;
    const timeoutMs = this.parts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const started = Date.now();
    await engine.drain(timeoutMs).catch((e: unknown) => logger.error(`engine drain failed: ${String(e)}`));
    const left = Math.max(1, timeoutMs - (Date.now() - started));
    if (engine.settle !== null) {
      await engine
        .settle(left)
        .catch(() => logger.warn(`closing with reactions still due after ${timeoutMs} ms (they run at the next start)`));
    }
  }

  /**
   * Stops new fires, then waits for the calls already under way. The round trip first makes sure
   * the engine has applied the unregistrations (it handles a connection's frames in order), so
   * nothing it dispatched before them is still on the wire when we count.
   */
  private async drain(): Promise<void> {
    if (this.listening === undefined) return; // never registered anything
    this.registrar.unregisterTriggers();
    const timeoutMs = this.parts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    await this.roundTrip(timeoutMs).catch(() => undefined);
    if (!(await this.registrar.drain(timeoutMs))) {
      this.parts.logger.warn(`closing with handler calls still running after ${timeoutMs} ms`);
    }
  }

  private async awaitEngine(): Promise<void> {
    try {
      await this.roundTrip(this.parts.readyTimeoutMs);
    } catch (error) {
      this.parts.logger.warn(`could not confirm registrations with the engine: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A cheap call answered after every frame this worker sent before it (frames are handled in order). */
  private roundTrip(timeoutMs: number): Promise<unknown> {
    return this.parts.client.trigger({ function_id: 'engine::functions::list', payload: {}, timeoutMs });
  }
}

function reRaise(signal: NodeJS.Signals): void {
  process.kill(process.pid, signal);
}
