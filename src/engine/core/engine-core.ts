import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EngineError, toEngineError } from './errors';
import { TriggerDispatcher } from './fire';
import { FunctionRegistry } from './function-registry';
import { InvocationTable } from './invocations';
import { createLogger } from './logger';
import { TriggerRegistry } from './trigger-registry';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineContext,
  EngineLogger,
  EngineStorage,
  FunctionHandler,
  InvocationOptions,
} from './types';
import { WorkerDirectory } from './worker-directory';

/** Engine version reported by `engine::health::check` and in-process worker listings. */
export const ENGINE_VERSION = '0.22.1';

/** Options the worker manager adds when it routes a worker's call (never seen by built-ins). */
export interface RoutedInvocationOptions extends InvocationOptions {
  /** The caller's `invocation_id`, reused when forwarding to a worker if it is free (spec §4.8). */
  invocationId?: string;
}

/**
 * Handles a WebSocket upgrade on a worker-manager listener for a path other than `/` and `/otel`
 * (e.g. `/ws/channels/{id}`). Returns true when it took the request; false lets the next handler
 * (or the 404 answer) have it.
 */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

/**
 * Runs functions a worker registered with an `invocation` block (spec §11): the engine performs
 * the HTTP call itself. Provided by the `iii-http-functions` worker when it is configured.
 */
export interface ExternalFunctionHost {
  /**
   * Validates the block (URL policy incl. DNS, auth secrets from the environment) and builds the
   * handler; rejects with an `EngineError` when the function must not be registered.
   */
  createHandler(functionId: string, invocation: Record<string, unknown>): Promise<FunctionHandler>;
}

/**
 * The shared heart of the engine: registries, worker directory, pending invocations and trigger
 * delivery. Built-in workers see it only through `createContext`; the worker manager and the
 * `iii-engine-functions` worker use it directly.
 */
export class EngineCore {
  readonly functions = new FunctionRegistry();
  readonly triggers: TriggerRegistry;
  readonly workers = new WorkerDirectory();
  readonly invocations = new InvocationTable();
  readonly dispatcher: TriggerDispatcher;
  /** Extra upgrade routes served on every worker-manager listener (hook for data channels). */
  readonly upgradeHandlers: UpgradeHandler[] = [];
  /** Called during a connection's cleanup, after its triggers went (hook for owned data channels). */
  readonly connectionCleanupHooks: Array<(workerId: string) => void> = [];
  /** Set while `iii-http-functions` runs; without it HTTP-invoked registrations are dropped. */
  externalFunctions: ExternalFunctionHost | undefined;

  constructor(
    readonly storage: EngineStorage,
    readonly logger: EngineLogger = createLogger({ scope: 'engine' }),
  ) {
    this.triggers = new TriggerRegistry(logger);
    this.dispatcher = new TriggerDispatcher((id, data, options) => this.invoke(id, data, options), logger);
  }

  /**
   * Invokes a function by id. Resolves the handler's result (`undefined` = no result); rejects
   * with whatever the handler threw, or `function_not_found`. Worker-owned handlers send their
   * frame synchronously, so call order is wire order.
   */
  invoke(functionId: string, data: unknown, options: RoutedInvocationOptions = {}): Promise<unknown> {
    const entry = this.functions.get(functionId);
    if (entry === undefined) {
      return Promise.reject(new EngineError('function_not_found', `Function ${functionId} not found`));
    }
    try {
      return Promise.resolve(entry.handler(data, options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The `EngineContext` given to one in-process worker; its registrations carry `workerName`. */
  createContext(workerName: string): EngineContext {
    this.workers.addBuiltin(workerName);
    const logger = createLogger({ scope: workerName });
    return {
      registerFunction: (fn: BuiltinFunction) => this.registerBuiltinFunction(workerName, fn),
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
      invoke: (functionId, data, options) =>
        this.invoke(functionId, data, options).catch((err: unknown) => {
          throw toEngineError(err, 'invocation_failed');
        }),
      hasFunction: (functionId) => this.functions.has(functionId),
      fire: (triggers, payload, options) => this.dispatcher.fire(triggers, payload, options),
      storage: this.storage,
      logger,
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

  /** `worker_name` of a function for listings (spec §5.1). */
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
