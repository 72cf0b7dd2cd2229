/**
 * The one stand-in for the engine core that the built-in workers' unit tests start a worker on.
 * It is honest where a worker can tell the difference: `invoke` routes to registered functions and
 * fails like the engine (`function_not_found`; thrown errors become `invocation_failed`), storage
 * is the real memory storage (or one the test hands in), and trigger types receive records the
 * way the trigger registry hands them over. What the worker asks of the engine is recorded for
 * the test to read: invocations, `fire` calls and log lines.
 */
import Database from 'better-sqlite3';
import { EngineError, toEngineError } from '../../src/engine/core/errors';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineClock,
  EngineContext,
  EngineLogger,
  EngineRegistryView,
  EngineSemantics,
  EngineStorage,
  FireOptions,
  FunctionHandler,
  InvocationOptions,
  Json,
  KvStore,
  LoggedWrite,
  StateLog,
  TriggerRecord,
  WriteJournal,
} from '../../src/engine/core/types';
import type { EngineServices, ServiceName, UpgradeHandler } from '../../src/engine/core/services';
import { MemoryKvStore } from '../../src/engine/storage';
import { StateChangeLog } from '../../src/engine/storage/change-log';

function removeItem<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

/** One `fire` call, with the trigger ids pulled out for short assertions. */
export interface FiredEvent {
  triggerIds: string[];
  triggers: readonly TriggerRecord[];
  payload: unknown;
  options: FireOptions | undefined;
}

/** One `invoke` (or `call`), as the worker or the test made it. */
export interface Invocation {
  functionId: string;
  data: unknown;
  options: InvocationOptions | undefined;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export interface FakeEngineContextOptions {
  /** The storage to hand the worker (e.g. a SQLite one); the default is memory storage. */
  storage?: EngineStorage;
  /** The database of the default memory storage, e.g. a file the test reopens after a restart. */
  database?: Database.Database;
  /** The engine semantics the worker sees (default `embedded`). */
  semantics?: EngineSemantics;
}

export class FakeEngineContext implements EngineContext {
  readonly functions = new Map<string, BuiltinFunction>();
  readonly triggerTypes = new Map<string, BuiltinTriggerType>();
  readonly fired: FiredEvent[] = [];
  readonly invocations: Invocation[] = [];
  readonly logs: LogLine[] = [];
  /** What the worker registered through `serveUpgrade` / `onWorkerLeft` / `provide`. */
  readonly upgradeHandlers: UpgradeHandler[] = [];
  readonly workerLeftHooks: Array<(workerId: string) => void> = [];
  readonly services = new Map<ServiceName, EngineServices[ServiceName]>();
  /** The KV store the worker sees; set `kv.failWith` to make the storage adapter fail. */
  readonly kv: SwitchableKv;
  readonly storage: EngineStorage;
  readonly semantics: EngineSemantics;
  readonly logger: EngineLogger = {
    debug: (message, fields) => void this.logs.push({ level: 'debug', message, fields }),
    info: (message, fields) => void this.logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => void this.logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => void this.logs.push({ level: 'error', message, fields }),
  };

  /** The clock workers read (system time unless the test hands in a fake one). */
  clock: EngineClock = {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  readonly idleProbes = new Map<string, () => boolean>();

  registerIdleProbe(name: string, isIdle: () => boolean): void {
    this.idleProbes.set(name, isIdle);
  }

  constructor(options: FakeEngineContextOptions = {}) {
    this.semantics = options.semantics ?? 'embedded';
    const inner = options.storage ?? memoryStorage(options.database);
    this.kv = new SwitchableKv(inner.kv);
    const kv = this.kv;
    this.storage = {
      kv,
      // Logged state writes fail like every other KV call when the test switches the KV off.
      stateLog: Object.assign(Object.create(inner.stateLog) as StateLog, {
        write: (write: LoggedWrite) => (kv.failWith !== undefined ? Promise.reject(kv.failWith) : inner.stateLog.write(write)),
      }),
      get database() {
        return inner.database;
      },
      close: () => inner.close(),
    };
  }

  registerFunction(fn: BuiltinFunction): void {
    this.functions.set(fn.id, fn);
  }

  registerTriggerType(type: BuiltinTriggerType): void {
    this.triggerTypes.set(type.id, type);
  }

  /** Records the call; unknown ids reject with `function_not_found`, throws become EngineErrors. */
  async invoke(functionId: string, data: unknown, options?: InvocationOptions): Promise<unknown> {
    this.invocations.push({ functionId, data, options });
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new EngineError('function_not_found', `Function ${functionId} not found`);
    try {
      return await fn.handler(data, options ?? {});
    } catch (err) {
      throw toEngineError(err, 'invocation_failed');
    }
  }

  hasFunction(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  serveUpgrade(handler: UpgradeHandler): () => void {
    this.upgradeHandlers.push(handler);
    return () => removeItem(this.upgradeHandlers, handler);
  }

  onWorkerLeft(hook: (workerId: string) => void): () => void {
    this.workerLeftHooks.push(hook);
    return () => removeItem(this.workerLeftHooks, hook);
  }

  /** Runs the worker-left hooks, as the kernel does once a connection has gone. */
  workerLeft(workerId: string): void {
    for (const hook of [...this.workerLeftHooks]) hook(workerId);
  }

  provide<K extends ServiceName>(name: K, service: EngineServices[K]): void {
    this.services.set(name, service);
  }

  use<K extends ServiceName>(name: K): EngineServices[K] | undefined {
    return this.services.get(name) as EngineServices[K] | undefined;
  }

  /** The registries are the kernel's: the `engine::*` functions are tested on the real engine. */
  get registry(): EngineRegistryView {
    throw new Error('FakeEngineContext has no registries: test engine::* functions through startEngine');
  }

  fire(triggers: readonly TriggerRecord[], payload: unknown, options?: FireOptions): void {
    this.fired.push({ triggerIds: triggers.map((t) => t.id), triggers, payload, options });
  }

  /** Calls a function as a connected worker would: the input crosses the wire (a JSON round trip). */
  call(functionId: string, data: unknown): Promise<unknown> {
    return this.invoke(functionId, data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown));
  }

  /** Registers a test function, standing in for a function some worker owns. */
  handle(id: string, handler: FunctionHandler): this {
    this.registerFunction({ id, handler });
    return this;
  }

  unhandle(id: string): void {
    this.functions.delete(id);
  }

  invocationsOf(functionId: string): Invocation[] {
    return this.invocations.filter((i) => i.functionId === functionId);
  }

  /** Hands a trigger to the provider of its type, as the trigger registry would. */
  async registerTrigger(trigger: TriggerRecord): Promise<void> {
    await this.triggerType(trigger.trigger_type).provider.register(trigger);
  }

  async unregisterTrigger(trigger: TriggerRecord): Promise<void> {
    await this.triggerType(trigger.trigger_type).provider.unregister(trigger);
  }

  /** Registers a trigger built from its parts and resolves its record. */
  async addTrigger(typeId: string, id: string, config: unknown, functionId = 'handler::fn'): Promise<TriggerRecord> {
    const record: TriggerRecord = { id, trigger_type: typeId, function_id: functionId, config };
    await this.registerTrigger(record);
    return record;
  }

  private triggerType(typeId: string): BuiltinTriggerType {
    const type = this.triggerTypes.get(typeId);
    if (type === undefined) throw new Error(`no trigger type ${typeId}`);
    return type;
  }
}

/** A KV store that passes every call on, unless `failWith` is set: then every call rejects with it. */
export class SwitchableKv implements KvStore {
  failWith: Error | undefined;

  constructor(private readonly inner: KvStore) {}

  get(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    return this.pass(() => this.inner.get(namespace, scope, key));
  }

  getText(namespace: string, scope: string, key: string): Promise<string | undefined> {
    return this.pass(() => this.inner.getText(namespace, scope, key));
  }

  set(namespace: string, scope: string, key: string, value: Json, journal?: WriteJournal): Promise<Json | undefined> {
    return this.pass(() => this.inner.set(namespace, scope, key, value, journal));
  }

  delete(namespace: string, scope: string, key: string, journal?: WriteJournal): Promise<Json | undefined> {
    return this.pass(() => this.inner.delete(namespace, scope, key, journal));
  }

  list(namespace: string, scope: string): Promise<Json[]> {
    return this.pass(() => this.inner.list(namespace, scope));
  }

  entries(namespace: string, scope: string): Promise<Array<[string, Json]>> {
    return this.pass(() => this.inner.entries(namespace, scope));
  }

  scopes(namespace: string): Promise<string[]> {
    return this.pass(() => this.inner.scopes(namespace));
  }

  private async pass<T>(call: () => Promise<T>): Promise<T> {
    if (this.failWith !== undefined) throw this.failWith;
    return call();
  }
}

/** Memory KV plus a SQLite database, opened only when a worker asks for it (most never do). */
function memoryStorage(database: Database.Database | undefined): EngineStorage {
  // The change log keeps its own in-memory database, apart from the one a test may hand in.
  const logDb = new Database(':memory:');
  const log = new StateChangeLog(logDb);
  const kv = new MemoryKvStore(log);
  let db = database;
  return {
    kv,
    stateLog: {
      write: (write) => kv.writeLogged('state', write),
      read: (after, limit) => log.read(after, limit),
      head: () => log.head(),
      oldest: () => log.oldest(),
      onCommit: (listener) => log.onCommit(listener),
      compact: (retention, keepFrom) => log.compact(retention, keepFrom),
    },
    get database() {
      db ??= new Database(':memory:');
      return db;
    },
    close: async () => {
      kv.close();
      if (db?.open === true) db.close();
      logDb.close();
    },
  };
}
