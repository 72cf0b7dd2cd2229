import { EngineError, LateRegistrationError, toEngineError, UndeclaredServiceError } from './errors';
import { TriggerDispatcher } from './fire';
import { FunctionRegistry } from './function-registry';
import { RegistrationPolicy } from './ownership';
import { InvocationTable } from './invocations';
import { systemClock } from '../lib/clock';
import { IdleProbes } from './settle';
import { createLogger } from './logger';
import type { EngineServices, ServiceName, UpgradeHandler } from './services';
import { TriggerRegistry } from './trigger-registry';
import type { EngineSemantics } from './semantics';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineClock,
  EngineContext,
  EngineLogger,
  EngineRegistryView,
  EngineStorage,
  InvocationOptions,
} from './types';
import { WorkerDirectory } from './worker-directory';

/** Engine version reported by `engine::health::check` and in-process worker listings. */
export const ENGINE_VERSION = '0.22.1';

/** Options the worker manager adds when it routes a worker's call (never seen by built-ins). */
export interface RoutedInvocationOptions extends InvocationOptions {
  /** The caller's `invocation_id`, reused when forwarding to a worker if it is free (engine.md §4.8). */
  invocationId?: string;
}

/**
 * The kernel as the worker manager (the engine's socket front) sees it: it reads the registries
 * only through the read-only views every built-in worker gets (`registry`), and changes them only
 * through the named mutations below (a worker's registrations, its departure).
 */
export interface WorkerManagerKernel {
  readonly registry: EngineRegistryView;
  readonly functions: Pick<FunctionRegistry, 'register' | 'unregister' | 'removeOwnedBy'>;
  readonly triggers: Pick<
    TriggerRegistry,
    'registerType' | 'unregisterType' | 'registerTrigger' | 'unregisterTrigger' | 'park' | 'removeTriggersOwnedBy' | 'removeTypesOwnedBy'
  >;
  readonly workers: Pick<WorkerDirectory, 'add' | 'remove'>;
  readonly invocations: InvocationTable;
  readonly logger: EngineLogger;
  readonly upgradeHandlers: readonly UpgradeHandler[];
  invoke(functionId: string, data: unknown, options?: RoutedInvocationOptions): Promise<unknown>;
  service<K extends ServiceName>(name: K): EngineServices[K] | undefined;
  workerLeft(workerId: string): void;
}

/** What a worker table entry declares when it is given its context. */
export interface ContextOptions {
  /** Services the worker may `use` (those provided by workers started before it). */
  needs?: readonly ServiceName[];
  /** The worker name its functions are listed under, when not its own (data channels). */
  listedAs?: string;
}

/**
 * The kernel: registries, worker directory, pending invocations, trigger delivery, and the
 * capabilities built-in workers register (upgrade routes, worker-left hooks, named services).
 * Built-in workers see it only through `createContext`; the worker manager (the engine's socket
 * front) uses it directly. Capabilities are registered while the engine starts; after `seal()`
 * a registration fails with `LateRegistrationError`.
 */
export class EngineCore implements WorkerManagerKernel {
  readonly workers = new WorkerDirectory();
  /** Who may register over whom (ownership; off unless the config turns it on). */
  readonly registrations = new RegistrationPolicy((workerId) => this.workers.get(workerId)?.principal);
  readonly functions: FunctionRegistry;
  readonly triggers: TriggerRegistry;
  readonly invocations = new InvocationTable();
  readonly dispatcher: TriggerDispatcher;
  private readonly upgrades: UpgradeHandler[] = [];
  /** Workers that registered upgrade routes: they stop before the listeners close. */
  private readonly upgradeOwners = new Set<string>();
  private readonly leaveHooks: Array<(workerId: string) => void> = [];
  private readonly services = new Map<ServiceName, EngineServices[ServiceName]>();
  private sealed = false;
  /** The read-only registry views every context (and the worker manager) reads through. */
  readonly registry: EngineRegistryView;
  /** What `settle()` asks: does any worker have work due? */
  readonly idleProbes = new IdleProbes();
  /** Told of every invocation and its outcome when set (the dev console); unset, `invoke` pays one check. */
  invocationObserver: ((functionId: string, result: Promise<unknown>) => void) | undefined;

  constructor(
    readonly storage: EngineStorage,
    readonly logger: EngineLogger = createLogger({ scope: 'engine' }),
    /** `iii-0.22`: no replica pooling, no per-trigger order (the reference engine's behaviour). */
    readonly semantics: EngineSemantics = 'embedded',
    readonly clock: EngineClock = systemClock,
  ) {
    const embedded = semantics === 'embedded';
    this.functions = new FunctionRegistry({ pooling: embedded, policy: this.registrations });
    this.triggers = new TriggerRegistry(logger, { pooling: embedded, policy: this.registrations });
    this.dispatcher = new TriggerDispatcher((id, data, options) => this.invoke(id, data, options), logger, { ordered: embedded });
    // Fired triggers (pub/sub, cron, stream triggers…) count as work until their handler returns.
    this.idleProbes.add('engine:fired-triggers', () => this.dispatcher.isIdle());
    this.registry = {
      functions: this.functions,
      triggers: this.triggers,
      workers: this.workers,
      registrations: this.registrations,
      functionWorkerName: (functionId) => this.functionWorkerName(functionId),
    };
  }

  /** Extra upgrade routes served on every worker-manager listener, in registration order. */
  get upgradeHandlers(): readonly UpgradeHandler[] {
    return this.upgrades;
  }

  /** Whether a worker registered an upgrade route (its sockets outlive nothing it does not close). */
  servesUpgrades(workerName: string): boolean {
    return this.upgradeOwners.has(workerName);
  }

  /** How many worker-left hooks are registered. */
  get workerLeftHookCount(): number {
    return this.leaveHooks.length;
  }

  /** A service a worker provided (the worker manager asks for `external-functions`). */
  service<K extends ServiceName>(name: K): EngineServices[K] | undefined {
    return this.services.get(name) as EngineServices[K] | undefined;
  }

  /** Runs the worker-left hooks for a connection whose functions and triggers are gone. */
  workerLeft(workerId: string): void {
    for (const hook of [...this.leaveHooks]) {
      try {
        hook(workerId);
      } catch (err) {
        this.logger.warn(`cleanup hook failed for worker ${workerId}`, { error: toEngineError(err).message });
      }
    }
  }

  /** Ends the start phase: capabilities registered from now on are refused. */
  seal(): void {
    this.sealed = true;
  }

  /**
   * Invokes a function by id. Resolves the handler's result (`undefined` = no result); rejects
   * with whatever the handler threw, or `function_not_found`. Worker-owned handlers send their
   * frame synchronously, so call order is wire order.
   */
  invoke(functionId: string, data: unknown, options: RoutedInvocationOptions = {}): Promise<unknown> {
    // Replicas: the next worker serving this id whose socket is still open takes the call.
    const entry = this.functions.pick(functionId);
    if (entry === undefined) {
      return Promise.reject(new EngineError('function_not_found', `Function ${functionId} not found`));
    }
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.handler(data, options));
    } catch (err) {
      result = Promise.reject(err);
    }
    this.invocationObserver?.(functionId, result);
    return result;
  }

  /** The `EngineContext` given to one in-process worker; its registrations carry `workerName`. */
  createContext(workerName: string, options: ContextOptions = {}): EngineContext {
    const listedAs = options.listedAs ?? workerName;
    this.workers.addBuiltin(listedAs);
    const logger = createLogger({ scope: workerName });
    const needs = new Set(options.needs ?? []);
    const beforeSeal = (what: string): void => {
      if (this.sealed) throw new LateRegistrationError(workerName, what);
    };
    return {
      registerFunction: (fn: BuiltinFunction) => this.registerBuiltinFunction(listedAs, fn),
      registerTriggerType: (type: BuiltinTriggerType) => {
        this.triggers
          .registerType({
            id: type.id,
            description: type.description,
            owner: { kind: 'builtin', workerName },
            provider: type.provider,
          })
          .catch((err: unknown) => logger.error(`registering trigger type ${type.id} failed`, { error: String(err) }));
      },
      invoke: (functionId, data, options) => this.invoke(functionId, data, options).catch(asInvocationFailure),
      hasFunction: (functionId) => this.functions.has(functionId),
      semantics: this.semantics,
      fire: (triggers, payload, options) => this.dispatcher.fire(triggers, payload, options),
      serveUpgrade: (handler) => {
        beforeSeal('an upgrade route');
        this.upgrades.push(handler);
        this.upgradeOwners.add(workerName);
        return () => removeItem(this.upgrades, handler);
      },
      onWorkerLeft: (hook) => {
        beforeSeal('a worker-left hook');
        this.leaveHooks.push(hook);
        return () => removeItem(this.leaveHooks, hook);
      },
      provide: (name, service) => {
        beforeSeal(`service ${name}`);
        this.services.set(name, service);
      },
      use: (name) => {
        if (!needs.has(name)) throw new UndeclaredServiceError(workerName, name);
        return this.service(name);
      },
      registry: this.registry,
      storage: this.storage,
      logger,
      clock: this.clock,
      registerIdleProbe: (name, isIdle) => this.idleProbes.add(`${workerName}:${name}`, isIdle),
    };
  }

  registerBuiltinFunction(workerName: string, fn: BuiltinFunction): void {
    this.functions.register({
      id: fn.id,
      description: fn.description,
      metadata: fn.metadata,
      request_format: fn.request_format,
      response_format: fn.response_format,
      owner: { kind: 'builtin', workerName },
      handler: fn.handler,
    });
  }

  /** `worker_name` of a function for listings (engine.md §5.1). */
  functionWorkerName(functionId: string): string {
    const entry = this.functions.get(functionId);
    if (entry?.owner.kind === 'builtin') return entry.owner.workerName;
    const reported = entry?.owner.kind === 'connection' ? this.workers.nameOf(entry.owner.workerId) : undefined;
    return reported ?? functionId.split('::')[0] ?? functionId;
  }

  /** Stops trigger delivery and halts every pending invocation (engine shutdown). */
  shutdown(): void {
    this.dispatcher.close();
    this.invocations.haltAll();
  }
}

function removeItem<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

/** What an in-process worker's `invoke` rejects with (one function for every call, no closure each). */
function asInvocationFailure(err: unknown): never {
  throw toEngineError(err, 'invocation_failed');
}
