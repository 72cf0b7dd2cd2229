/**
 * A small in-test EngineContext: functions in a map, invocations run in-process, `fire` only
 * records, and a KV store kept in nested maps (values cloned, as a real store would serialise).
 */
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineContext,
  EngineLogger,
  EngineStorage,
  FireOptions,
  InvocationOptions,
  Json,
  KvStore,
  TriggerRecord,
} from '../../../../../src/engine/core/types';
import { EngineError } from '../../../../../src/engine/core/errors';

export class FakeKv implements KvStore {
  readonly data = new Map<string, Map<string, Map<string, Json>>>();
  /** When set, every call rejects with this error (adapter failure). */
  failWith: Error | undefined;

  private scope(namespace: string, scope: string, create: boolean): Map<string, Json> | undefined {
    let scopes = this.data.get(namespace);
    if (scopes === undefined) {
      if (!create) return undefined;
      scopes = new Map();
      this.data.set(namespace, scopes);
    }
    let items = scopes.get(scope);
    if (items === undefined && create) {
      items = new Map();
      scopes.set(scope, items);
    }
    return items;
  }

  private check(): void {
    if (this.failWith !== undefined) throw this.failWith;
  }

  async get(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    this.check();
    const value = this.scope(namespace, scope, false)?.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async set(namespace: string, scope: string, key: string, value: Json): Promise<Json | undefined> {
    this.check();
    const items = this.scope(namespace, scope, true) as Map<string, Json>;
    const old = items.get(key);
    items.set(key, structuredClone(value));
    return old;
  }

  async delete(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    this.check();
    const items = this.scope(namespace, scope, false);
    const old = items?.get(key);
    items?.delete(key);
    if (items !== undefined && items.size === 0) this.data.get(namespace)?.delete(scope);
    return old;
  }

  async list(namespace: string, scope: string): Promise<Json[]> {
    this.check();
    return [...(this.scope(namespace, scope, false)?.values() ?? [])].map((v) => structuredClone(v));
  }

  async entries(namespace: string, scope: string): Promise<Array<[string, Json]>> {
    this.check();
    return [...(this.scope(namespace, scope, false)?.entries() ?? [])];
  }

  async scopes(namespace: string): Promise<string[]> {
    this.check();
    return [...(this.data.get(namespace)?.keys() ?? [])];
  }
}

export interface FiredEvent {
  triggers: readonly TriggerRecord[];
  payload: unknown;
}

export interface InvokeCall {
  functionId: string;
  data: unknown;
  options: InvocationOptions | undefined;
}

export const silentLogger: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export class FakeEngineContext implements EngineContext {
  readonly functions = new Map<string, BuiltinFunction>();
  readonly triggerTypes = new Map<string, BuiltinTriggerType>();
  readonly fired: FiredEvent[] = [];
  readonly invocations: InvokeCall[] = [];
  readonly kv = new FakeKv();
  readonly storage: EngineStorage;
  readonly logger: EngineLogger = silentLogger;

  constructor() {
    const kv = this.kv;
    this.storage = {
      kv,
      get database(): never {
        throw new Error('no database in the fake context');
      },
      close: async () => undefined,
    };
  }

  registerFunction(fn: BuiltinFunction): void {
    this.functions.set(fn.id, fn);
  }

  /** Registers a plain handler as if a worker owned it (custom streams, triggers' targets). */
  handle(id: string, handler: (data: unknown, options: InvocationOptions) => unknown): void {
    this.functions.set(id, { id, handler });
  }

  registerTriggerType(type: BuiltinTriggerType): void {
    this.triggerTypes.set(type.id, type);
  }

  async invoke(functionId: string, data: unknown, options?: InvocationOptions): Promise<unknown> {
    this.invocations.push({ functionId, data, options });
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new EngineError('function_not_found', `Function ${functionId} not found`);
    return fn.handler(data, options ?? {});
  }

  hasFunction(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  fire(triggers: readonly TriggerRecord[], payload: unknown, _options?: FireOptions): void {
    this.fired.push({ triggers, payload });
  }

  /** Calls a registered function the way the worker manager would (input through a JSON round trip). */
  call(functionId: string, data: unknown): Promise<unknown> {
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new Error(`no function ${functionId}`);
    return Promise.resolve(fn.handler(JSON.parse(JSON.stringify(data)) as unknown, {}));
  }

  async registerTrigger(record: TriggerRecord): Promise<void> {
    const type = this.triggerTypes.get(record.trigger_type);
    if (type === undefined) throw new Error(`no trigger type ${record.trigger_type}`);
    await type.provider.register(record);
  }
}

/** Polls `condition` until true, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
