import { toEngineError, EngineError } from './errors';
import { sameOwner, type FunctionOwner } from './function-registry';
import type { EngineLogger, TriggerRecord, TriggerTypeProvider } from './types';

/** Who offers a trigger type: the same two kinds of owner as for functions. */
export type TriggerTypeOwner = FunctionOwner;

export interface TriggerTypeEntry {
  readonly id: string;
  readonly description: string;
  readonly owner: TriggerTypeOwner;
  readonly provider: TriggerTypeProvider;
  readonly trigger_request_format?: unknown;
  readonly call_request_format?: unknown;
  /**
   * Worker providers only: resolves once the provider acknowledged trigger `triggerId` with a
   * `triggerregistrationresult`, rejects with its error, resolves after `timeoutMs` without one.
   */
  readonly awaitResult?: (triggerId: string, timeoutMs: number) => Promise<void>;
}

export interface RegisterTriggerOptions {
  /** Wait this long for a worker provider's acknowledgement (`engine::register_trigger`). */
  confirmTimeoutMs?: number;
}

/** `registered`: handed to its type's provider. `pending`: parked until a provider takes it. */
export type TriggerStatus = 'registered' | 'pending';

export interface TriggerEntry {
  readonly record: TriggerRecord;
  status: TriggerStatus;
}

export type RegisterTriggerOutcome = 'registered' | 'pending';

/**
 * Trigger types and trigger instances (spec §5.2, §5.3). A trigger whose type is absent, or whose
 * provider rejected it, is parked as pending and handed over as soon as the type (re)appears.
 * Provider calls are awaited one at a time by the caller, which keeps a connection's registrations
 * in frame order.
 */
export class TriggerRegistry {
  private readonly types = new Map<string, TriggerTypeEntry>();
  private readonly triggers = new Map<string, TriggerEntry>();

  constructor(private readonly logger: EngineLogger) {}

  /** Registers or replaces a type, then hands it every trigger of that type (registered or parked). */
  async registerType(type: TriggerTypeEntry): Promise<void> {
    this.types.set(type.id, type);
    for (const entry of this.triggersOfType(type.id)) {
      await this.activate(entry, type);
    }
  }

  /** Removes a type (owner-checked) and parks every trigger of it; no provider is called. */
  unregisterType(id: string, owner?: TriggerTypeOwner): boolean {
    const type = this.types.get(id);
    if (type === undefined) return false;
    if (owner !== undefined && !sameOwner(type.owner, owner)) return false;
    this.types.delete(id);
    for (const entry of this.triggersOfType(id)) {
      if (entry.status === 'registered') {
        this.logger.warn(`[DISABLED] trigger ${entry.record.id} (${id}) will be re-registered automatically when the trigger type returns`);
      }
      entry.status = 'pending';
    }
    return true;
  }

  /**
   * Stores a trigger (replacing any previous one with the same id) and hands it to its type's
   * provider. Unknown type ⇒ parked, resolves `pending`. Provider failure ⇒ parked and throws
   * `trigger_registration_failed` with the provider's message.
   */
  async registerTrigger(record: TriggerRecord, options: RegisterTriggerOptions = {}): Promise<RegisterTriggerOutcome> {
    const previous = this.triggers.get(record.id);
    if (previous !== undefined && previous.status === 'registered' && previous.record.trigger_type !== record.trigger_type) {
      await this.callUnregister(previous.record);
    }
    const entry: TriggerEntry = { record, status: 'pending' };
    this.triggers.set(record.id, entry);
    const type = this.types.get(record.trigger_type);
    if (type === undefined) {
      this.logger.warn(`trigger type ${record.trigger_type} not found; trigger ${record.id} parked until it registers`);
      return 'pending';
    }
    const confirmation =
      options.confirmTimeoutMs !== undefined && type.awaitResult !== undefined
        ? type.awaitResult(record.id, options.confirmTimeoutMs)
        : undefined;
    try {
      await type.provider.register(record);
      await confirmation;
    } catch (err) {
      confirmation?.catch(() => undefined);
      throw new EngineError('trigger_registration_failed', toEngineError(err).message);
    }
    if (this.triggers.get(record.id) === entry) entry.status = 'registered';
    return 'registered';
  }

  /** Removes a trigger; a registered one is withdrawn from its provider. */
  async unregisterTrigger(id: string): Promise<TriggerRecord | undefined> {
    const entry = this.triggers.get(id);
    if (entry === undefined) return undefined;
    this.triggers.delete(id);
    if (entry.status === 'registered') await this.callUnregister(entry.record);
    return entry.record;
  }

  /** Moves a registered trigger back to pending (its worker provider reported an error). */
  park(id: string): TriggerEntry | undefined {
    const entry = this.triggers.get(id);
    if (entry !== undefined) entry.status = 'pending';
    return entry;
  }

  /** Removes every trigger a connection owns (registered ones are withdrawn from their providers). */
  async removeTriggersOwnedBy(workerId: string): Promise<void> {
    const owned = [...this.triggers.values()].filter((entry) => entry.record.worker_id === workerId);
    for (const entry of owned) await this.unregisterTrigger(entry.record.id);
  }

  /** Removes the types a connection offered, parking other workers' triggers of those types. */
  removeTypesOwnedBy(workerId: string): string[] {
    const ids = [...this.types.values()]
      .filter((type) => type.owner.kind === 'connection' && type.owner.workerId === workerId)
      .map((type) => type.id);
    for (const id of ids) this.unregisterType(id);
    return ids;
  }

  getType(id: string): TriggerTypeEntry | undefined {
    return this.types.get(id);
  }

  listTypes(): TriggerTypeEntry[] {
    return [...this.types.values()];
  }

  getTrigger(id: string): TriggerEntry | undefined {
    return this.triggers.get(id);
  }

  listTriggers(status?: TriggerStatus): TriggerEntry[] {
    const all = [...this.triggers.values()];
    return status === undefined ? all : all.filter((entry) => entry.status === status);
  }

  /** Registered triggers of a type (what `engine::triggers::info` counts as instances). */
  instanceCount(typeId: string): number {
    return this.triggersOfType(typeId).filter((entry) => entry.status === 'registered').length;
  }

  private triggersOfType(typeId: string): TriggerEntry[] {
    return [...this.triggers.values()].filter((entry) => entry.record.trigger_type === typeId);
  }

  private async activate(entry: TriggerEntry, type: TriggerTypeEntry): Promise<void> {
    try {
      await type.provider.register(entry.record);
      if (this.triggers.get(entry.record.id) === entry) entry.status = 'registered';
    } catch (err) {
      entry.status = 'pending';
      this.logger.warn(`trigger ${entry.record.id} rejected by ${type.id}: ${toEngineError(err).message}`);
    }
  }

  private async callUnregister(record: TriggerRecord): Promise<void> {
    const type = this.types.get(record.trigger_type);
    if (type === undefined) return;
    try {
      await type.provider.unregister(record);
    } catch (err) {
      this.logger.warn(`unregistering trigger ${record.id} from ${type.id} failed: ${toEngineError(err).message}`);
    }
  }
}
