import Database from 'better-sqlite3';
import { EngineError, toEngineError } from '../../../../../src/engine/core/errors';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineContext,
  EngineLogger,
  EngineStorage,
  FireOptions,
  FunctionHandler,
  InvocationOptions,
  KvStore,
  TriggerRecord,
} from '../../../../../src/engine/core/types';

export interface Fired {
  triggers: readonly TriggerRecord[];
  payload: unknown;
  options?: FireOptions;
}

export interface Invocation {
  functionId: string;
  data: unknown;
  options: InvocationOptions;
}

const unusedKv: KvStore = {
  get: () => Promise.reject(new Error('kv not used by this fake')),
  set: () => Promise.reject(new Error('kv not used by this fake')),
  delete: () => Promise.reject(new Error('kv not used by this fake')),
  list: () => Promise.reject(new Error('kv not used by this fake')),
  entries: () => Promise.reject(new Error('kv not used by this fake')),
  scopes: () => Promise.reject(new Error('kv not used by this fake')),
};

/**
 * A small in-memory EngineContext for built-in worker unit tests: it records registrations, fires
 * and invocations, routes `invoke` to functions registered on it (by the worker under test or by
 * the test via `handle`), and gives the worker a real SQLite database (`:memory:` or a file).
 */
export class FakeEngineContext implements EngineContext {
  readonly functions = new Map<string, BuiltinFunction>();
  readonly triggerTypes = new Map<string, BuiltinTriggerType>();
  readonly fired: Fired[] = [];
  readonly invocations: Invocation[] = [];
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  readonly storage: EngineStorage;
  readonly logger: EngineLogger;

  constructor(database: Database.Database = new Database(':memory:')) {
    this.storage = {
      kv: unusedKv,
      database,
      close: async () => {
        if (database.open) database.close();
      },
    };
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      this.logs.push({ level, message, fields });
    };
    this.logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }

  registerFunction(fn: BuiltinFunction): void {
    this.functions.set(fn.id, fn);
  }

  registerTriggerType(type: BuiltinTriggerType): void {
    this.triggerTypes.set(type.id, type);
  }

  /** Registers a test function (a stand-in for a worker's function). */
  handle(id: string, handler: FunctionHandler): void {
    this.registerFunction({ id, handler });
  }

  unhandle(id: string): void {
    this.functions.delete(id);
  }

  async invoke(functionId: string, data: unknown, options: InvocationOptions = {}): Promise<unknown> {
    this.invocations.push({ functionId, data, options });
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new EngineError('function_not_found', `Function ${functionId} not found`);
    try {
      return await fn.handler(data, options);
    } catch (err) {
      throw toEngineError(err, 'invocation_failed');
    }
  }

  /** Calls a function the worker registered, as a worker would through the engine. */
  call(functionId: string, data: unknown): Promise<unknown> {
    return this.invoke(functionId, data);
  }

  hasFunction(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  fire(triggers: readonly TriggerRecord[], payload: unknown, options?: FireOptions): void {
    this.fired.push({ triggers, payload, options });
  }

  /** Registers a trigger with the provider of its type, as the trigger registry would. */
  async registerTrigger(trigger: TriggerRecord): Promise<void> {
    const type = this.triggerTypes.get(trigger.trigger_type);
    if (type === undefined) throw new Error(`no trigger type ${trigger.trigger_type}`);
    await type.provider.register(trigger);
  }

  async unregisterTrigger(trigger: TriggerRecord): Promise<void> {
    const type = this.triggerTypes.get(trigger.trigger_type);
    if (type === undefined) throw new Error(`no trigger type ${trigger.trigger_type}`);
    await type.provider.unregister(trigger);
  }

  invocationsOf(functionId: string): Invocation[] {
    return this.invocations.filter((i) => i.functionId === functionId);
  }
}
