/**
 * A small in-process stand-in for the engine core, enough to drive a built-in worker: it keeps
 * registered functions and trigger types, records `fire` calls, and uses real memory storage.
 */
import { EngineError } from '../../../../../src/engine/core/errors';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineContext,
  EngineLogger,
  EngineStorage,
  FireOptions,
  TriggerRecord,
} from '../../../../../src/engine/core/types';
import { openStorage } from '../../../../../src/engine/storage';

export interface FiredEvent {
  triggerIds: string[];
  triggers: readonly TriggerRecord[];
  payload: unknown;
  options: FireOptions | undefined;
}

export class FakeEngineContext implements EngineContext {
  readonly functions = new Map<string, BuiltinFunction>();
  readonly triggerTypes = new Map<string, BuiltinTriggerType>();
  readonly fired: FiredEvent[] = [];
  readonly warnings: string[] = [];
  readonly storage: EngineStorage;
  readonly logger: EngineLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => void this.warnings.push(message),
    error: () => undefined,
  };

  constructor(storage: EngineStorage = openStorage({ kind: 'memory' })) {
    this.storage = storage;
  }

  registerFunction(fn: BuiltinFunction): void {
    this.functions.set(fn.id, fn);
  }

  registerTriggerType(type: BuiltinTriggerType): void {
    this.triggerTypes.set(type.id, type);
  }

  async invoke(functionId: string, data: unknown): Promise<unknown> {
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new EngineError('function_not_found', `Function ${functionId} not found`);
    return fn.handler(data, {});
  }

  hasFunction(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  fire(triggers: readonly TriggerRecord[], payload: unknown, options?: FireOptions): void {
    this.fired.push({ triggerIds: triggers.map((t) => t.id), triggers, payload, options });
  }

  /** Registers a trigger instance through the named type's provider, as the registry would. */
  async addTrigger(typeId: string, id: string, config: unknown, functionId = 'handler::fn'): Promise<TriggerRecord> {
    const type = this.triggerTypes.get(typeId);
    if (type === undefined) throw new Error(`trigger type ${typeId} not registered`);
    const record: TriggerRecord = { id, trigger_type: typeId, function_id: functionId, config };
    await type.provider.register(record);
    return record;
  }
}
