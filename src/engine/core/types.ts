/**
 * The contract between the engine core (registries + invocation routing) and the built-in
 * workers (`iii-state`, `iii-stream`, `iii-http`, ...). A built-in worker only ever sees an
 * `EngineContext`; it never touches worker sockets or the registries directly.
 */

import type { Json } from '../../protocol/json';
import type { EngineSemantics } from './semantics';

export type { EngineSemantics };
import type { FunctionRegistry } from './function-registry';
import type { RegistrationPolicy } from './ownership';
import type { EngineServices, ServiceName, UpgradeHandler } from './services';
import type { TriggerRegistry } from './trigger-registry';
import type { WorkerDirectory } from './worker-directory';
import type { StateEventType } from '../../protocol/triggers';
import type { Clock } from '../lib/clock';
import type { BridgeClient, BridgeClientOptions } from '../adapters/bridge/client';

/** Any JSON value as it crosses the wire. */
export type { Json };

/** What an invocation carries besides its payload. */
export interface InvocationOptions {
  /** Per-invocation metadata, delivered to the handler as its second argument. */
  metadata?: unknown;
  /** The worker id of the calling connection, when a worker made the call. */
  callerWorkerId?: string;
  traceparent?: string;
  baggage?: string;
  /**
   * The caller writes the result straight into a worker frame: a handler may then resolve a
   * `JsonText` (its result's JSON text) instead of the value. Only the worker manager sets it.
   */
  acceptsJsonText?: boolean;
}

/**
 * A function implementation. Resolve `undefined` for "no result" (the reply frame then has no
 * `result` key); resolve `null` to send `"result": null`. Throw `EngineError` for coded failures.
 */
export type FunctionHandler = (data: unknown, options: InvocationOptions) => Promise<unknown> | unknown;

/** A function registered by an in-process (built-in) worker. */
export interface BuiltinFunction {
  id: string;
  description?: string;
  metadata?: Record<string, unknown>;
  request_format?: unknown;
  response_format?: unknown;
  handler: FunctionHandler;
}

/** One trigger instance, as stored in the trigger registry and handed to its type's provider. */
export interface TriggerRecord {
  id: string;
  trigger_type: string;
  function_id: string;
  config: unknown;
  metadata?: unknown;
  /** Owning worker connection; absent for engine-owned triggers (`engine::register_trigger`). */
  worker_id?: string;
}

/**
 * The in-process side of a trigger type. `register` throwing (or rejecting) makes the registration
 * fail with `trigger_registration_failed` and the error's message; re-registering an existing
 * trigger id must replace the previous binding (SDK replays reuse ids).
 */
export interface TriggerTypeProvider {
  register(trigger: TriggerRecord): Promise<void> | void;
  unregister(trigger: TriggerRecord): Promise<void> | void;
}

/** A trigger type offered by an in-process worker. */
export interface BuiltinTriggerType {
  id: string;
  description: string;
  provider: TriggerTypeProvider;
}

/** Leveled logger used throughout the engine (quiet in tests unless asked). */
export interface EngineLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Read-only views of the registries, for the `engine::*` introspection functions, plus the two
 * changes they make on a caller's behalf: engine-owned triggers (`engine::register_trigger`) and a
 * worker's self-description (`engine::workers::register`).
 */
export interface EngineRegistryView {
  readonly functions: Pick<FunctionRegistry, 'get' | 'has' | 'list' | 'countOwnedBy' | 'onChange'>;
  readonly triggers: Pick<
    TriggerRegistry,
    'getTrigger' | 'getType' | 'listTriggers' | 'listTypes' | 'instanceCount' | 'registerTrigger' | 'unregisterTrigger'
  >;
  readonly workers: Pick<WorkerDirectory, 'builtinNames' | 'get' | 'list' | 'nameOf' | 'onEvent' | 'updateMetadata'>;
  /** Ownership of registrations (an HTTP route held by one principal is not another's to take). */
  readonly registrations: Pick<RegistrationPolicy, 'check'>;
  /** `worker_name` of a function for listings. */
  functionWorkerName(functionId: string): string;
}

/** What a built-in worker may do with the engine: its only door. */
export interface EngineContext {
  /** Register a function owned by this worker (last registration of an id wins). */
  registerFunction(fn: BuiltinFunction): void;
  /** Register a trigger type; pending triggers of that type are handed to its provider at once. */
  registerTriggerType(type: BuiltinTriggerType): void;
  /**
   * Invoke any registered function as the engine itself (no `_caller_worker_id` is injected).
   * Resolves the handler's result (`undefined` when absent); rejects with `EngineError`
   * (`function_not_found`, `invocation_failed`, `invocation_stopped`, ...).
   */
  invoke(functionId: string, data: unknown, options?: InvocationOptions): Promise<unknown>;
  /** Whether a function id is currently registered (used for custom-stream delegation). */
  hasFunction(functionId: string): boolean;
  /** Whose observable behaviour the engine follows (`iii-0.22`: the reference engine's, see semantics.ts). */
  readonly semantics: EngineSemantics;
  /**
   * Deliver one event to a list of triggers in the order events are handed in, per trigger:
   * evaluates `config.condition_function_id` (skip on exactly `false` or error), invokes the
   * trigger's function with the trigger's metadata, and logs (never throws) handler errors.
   */
  fire(triggers: readonly TriggerRecord[], payload: unknown, options?: FireOptions): void;
  /**
   * Serve WebSocket upgrades for other paths on every worker-manager listener. Only while the
   * worker starts (`LateRegistrationError` after); returns the function that removes the route.
   */
  serveUpgrade(handler: UpgradeHandler): () => void;
  /** Run `hook` once a worker connection has gone and its functions and triggers with it. */
  onWorkerLeft(hook: (workerId: string) => void): () => void;
  /** Offer a named service to the workers started after this one. */
  provide<K extends ServiceName>(name: K, service: EngineServices[K]): void;
  /** A service this worker `needs`; undefined when no configured worker provides it. */
  use<K extends ServiceName>(name: K): EngineServices[K] | undefined;
  /** Read-only views of the registries (the `engine::*` functions). */
  readonly registry: EngineRegistryView;
  /** The durable store the engine was started with (SQLite or memory). */
  storage: EngineStorage;
  logger: EngineLogger;
  /** The engine's time: the system clock, or a fake one tests advance by hand. */
  clock: EngineClock;
  /**
   * Tells the engine's `settle()` whether this worker has work due now (`true` = nothing due:
   * work waiting on a timer that has not fired yet counts as not due).
   */
  registerIdleProbe(name: string, isIdle: () => boolean): void;
}

/** Wall-clock reads and one-shot timers (`lib/clock`): the seam that lets tests drive cron and retry backoff. */
export type EngineClock = Clock;

/** How `EngineContext.fire` delivers an event. */
export interface FireOptions {
  /** Pass the trigger's metadata as the handler's second argument (default true; pubsub: false). */
  withMetadata?: boolean;
  /** Evaluate `config.condition_function_id` (default true; pubsub: false). */
  withCondition?: boolean;
}

/**
 * A built-in worker (`iii-state`, `iii-http`, ...). `start` registers its functions and trigger
 * types and opens any listener it owns; `stop` releases every port, timer and handle (idempotent).
 */
export interface EngineWorker {
  readonly name: string;
  start(context: EngineContext): Promise<void>;
  stop(): Promise<void>;
  /** The URL of the listener this worker opened, once started (port 0 resolved), if it has one. */
  url?(): string | undefined;
  /**
   * Shutdown, first step: take no new work from outside (a listener answers 503 with
   * `Retry-After` instead) and resolve once the work already taken is done. `stop()` follows.
   */
  drain?(): Promise<void>;
}

/**
 * Builds a worker from its `config:` block of config.yaml (after `${VAR:default}` expansion).
 * A port of 0 means "any free port" (tests); the worker reports the bound one through `url()`.
 */
export type WorkerFactory = (config: Record<string, unknown>, adapters?: WorkerAdapters) => EngineWorker;

/**
 * Storage backends the worker table hands a worker instead of the worker importing them: today the
 * `bridge` adapter (`engine/adapters/bridge`), a connection to another iii engine that `iii-state`
 * and `iii-stream` keep their data on. Tests hand in fakes the same way.
 */
export interface WorkerAdapters {
  openBridge(options: BridgeClientOptions): BridgeClient;
}

/** For a worker built without the table's adapters (unit tests): asking for one is a clear error. */
export const NO_ADAPTERS: WorkerAdapters = {
  openBridge: (options) => {
    throw new Error(`${options.owner}: adapter "bridge" needs the worker table's adapters (build the worker through the table)`);
  },
};

/**
 * Key/value storage shared by the workers. Namespaces keep workers apart (`state`, `stream`,
 * `cron`, ...); `scope` is the second level (a state scope, a stream `name:group`). Writes resolve
 * only once they are durable (committed) for durable adapters. A write takes its place in call order
 * when it is called (its previous value, journal and commit follow the order of the calls), so a
 * caller ordering writes needs to hold its lock only until the call, not until the commit.
 */
export interface KvStore {
  get(namespace: string, scope: string, key: string): Promise<Json | undefined>;
  /** `get`'s value as the JSON text the store keeps (what `JSON.stringify` wrote), undefined when absent. */
  getText(namespace: string, scope: string, key: string): Promise<string | undefined>;
  /**
   * Stores `value` and resolves the previous value (`undefined` when there was none). A `journal`
   * is bound to this one write (see `WriteJournal`).
   */
  set(namespace: string, scope: string, key: string, value: Json, journal?: WriteJournal): Promise<Json | undefined>;
  /** Deletes and resolves the previous value (`undefined` when there was none). */
  delete(namespace: string, scope: string, key: string, journal?: WriteJournal): Promise<Json | undefined>;
  /** All values of a scope, in insertion order. */
  list(namespace: string, scope: string): Promise<Json[]>;
  /** All `[key, value]` pairs of a scope, in insertion order. */
  entries(namespace: string, scope: string): Promise<Array<[string, Json]>>;
  /** The scopes of a namespace that hold at least one key. */
  scopes(namespace: string): Promise<string[]>;
}

/**
 * Work bound to one KV write, for records that must commit or roll back with it (the stream event
 * log). `record` runs inside the transaction that commits the write, with the value the key had
 * before it, and may write to `EngineStorage.database` (throwing rolls the transaction back).
 * `committed` runs once that transaction has committed, synchronously and in write order, before
 * the write's promise settles; it must not throw. `rolledBack` runs instead when the transaction
 * failed after `record`.
 */
export interface WriteJournal {
  record(previous: Json | undefined): void;
  /**
   * Called inside the transaction after every write of the batch has been recorded, just before
   * it commits: a journal that defers its own rows writes them here (once per batch is enough).
   */
  beforeCommit?(): void;
  committed(): void;
  /** The transaction rolled back after `record` ran (the write failed): forget what it assumed. */
  rolledBack?(): void;
}

export type { StateEventType };

/** One acknowledged state write, as the change log keeps it. */
export interface ChangeRecord {
  /** Global, increasing with every write (gaps are possible, never reuse). */
  seq: number;
  scope: string;
  key: string;
  /** Per key: 1 for its first write, +1 for every later one (a delete counts, and numbering continues after it). */
  version: number;
  event_type: StateEventType;
  old_value: Json;
  new_value: Json;
  /** Milliseconds since the epoch when the write was queued. */
  at: number;
}

/** A state write that appends a change record in the same transaction. */
export interface LoggedWrite {
  scope: string;
  key: string;
  /** Given the current value (`undefined` = missing), the new one or a delete. Throwing writes nothing. */
  compute(current: Json | undefined): { value: Json } | { delete: true };
  /** Applied at most once: a later write with the same key writes nothing and gets the first reply. */
  idempotencyKey?: string;
  /** The reply remembered under `idempotencyKey`. */
  reply?(previous: Json | undefined, next: Json | undefined): Json;
}

export type LoggedWriteOutcome = { duplicate: false; change: ChangeRecord; previous: Json | undefined } | { duplicate: true; reply: Json };

/** How much of the change log to keep (see `StateLog.compact`). */
export interface LogRetention {
  maxRecords: number;
  maxAgeMs: number;
}

/** The state change log of the engine's storage (namespace `state` of the KV store). */
export interface StateLog {
  /** Writes and appends the change record atomically; resolves once both are durable. */
  write(write: LoggedWrite): Promise<LoggedWriteOutcome>;
  /** Committed records after `afterSeq`, in order. */
  read(afterSeq: number, limit: number): ChangeRecord[];
  /** The highest committed seq (0 when nothing was ever written). */
  head(): number;
  /** The lowest retained seq (`head() + 1` when empty). */
  oldest(): number;
  /** Called after each commit that appended records; returns the unsubscribe. */
  onCommit(listener: (head: number) => void): () => void;
  /** Drops records beyond the retention; the age limit keeps `keepFrom` and later. */
  compact(retention: LogRetention, keepFrom?: number): number;
}

/** The engine's storage: a KV store plus, when SQLite-backed, the database for other tables. */
export interface EngineStorage {
  readonly kv: KvStore;
  /** The state change log, written in the same transaction as the KV write it records. */
  readonly stateLog: StateLog;
  /** The better-sqlite3 database (file or `:memory:`), for workers that need their own tables. */
  readonly database: import('better-sqlite3').Database;
  close(): Promise<void>;
}
