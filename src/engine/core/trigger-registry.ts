import { toEngineError, EngineError } from './errors';
import { sameOwner, type FunctionOwner } from './function-registry';
import type { RegistrationPolicy } from './ownership';
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
  /**
   * A replica's copy of a trigger another worker connection registered identically (same
   * function, type and config): kept, listed as registered, but not handed to the provider until
   * the copy in service goes away.
   */
  standby?: boolean;
}

export interface TriggerRegistryOptions {
  /** Ownership: a trigger type, trigger id or replica group held by another principal is refused. */
  policy?: Pick<RegistrationPolicy, 'check'>;
  /**
   * true (default): identical triggers of several worker connections are one logical trigger,
   * handed to the provider once (replicas). false: every registration is handed over (the
   * reference engine 0.22, where N replicas make N deliveries).
   */
  pooling?: boolean;
}

export type RegisterTriggerOutcome = 'registered' | 'pending';

/**
 * Trigger types and trigger instances (engine.md §5.2, §5.3). A trigger whose type is absent, or whose
 * provider rejected it, is parked as pending and handed over as soon as the type (re)appears.
 * Provider calls are awaited one at a time by the caller, which keeps a connection's registrations
 * in frame order.
 *
 * Replicas: worker triggers with the same identity (function id + trigger type + config, see
 * `triggerIdentity`) form a group; only its first member is handed to the provider, the others
 * stand by. When the member in service goes, the next one is handed over *before* the old one is
 * withdrawn, so a route or a state cursor never has a gap.
 */
export class TriggerRegistry {
  private readonly types = new Map<string, TriggerTypeEntry>();
  private readonly triggers = new Map<string, TriggerEntry>();
  /** identity → trigger ids, the one in service first. */
  private readonly groups = new Map<string, string[]>();
  private readonly groupOf = new Map<string, string>();
  private readonly pooling: boolean;

  constructor(
    private readonly logger: EngineLogger,
    options: TriggerRegistryOptions = {},
  ) {
    this.pooling = options.pooling !== false;
    this.policy = options.policy;
  }

  private readonly policy: Pick<RegistrationPolicy, 'check'> | undefined;

  /**
   * Registers or replaces a type, then hands it every trigger of that type (registered or parked).
   * Throws `registration_refused` when ownership forbids replacing another principal's type.
   */
  async registerType(type: TriggerTypeEntry): Promise<void> {
    const current = this.types.get(type.id);
    if (current !== undefined && !sameOwner(current.owner, type.owner))
      this.policy?.check(`trigger type ${type.id}`, current.owner, type.owner);
    this.types.set(type.id, type);
    for (const entry of this.triggersOfType(type.id)) {
      if (entry.standby !== true) await this.activate(entry, type);
    }
  }

  /** Removes a type (owner-checked) and parks every trigger of it; no provider is called. */
  unregisterType(id: string, owner?: TriggerTypeOwner): boolean {
    const type = this.types.get(id);
    if (type === undefined) return false;
    if (owner !== undefined && !sameOwner(type.owner, owner)) return false;
    this.types.delete(id);
    for (const entry of this.triggersOfType(id)) {
      if (entry.standby === true) continue;
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
    const identity = this.identityOf(record);
    this.checkOwnership(record, previous, identity);
    if (previous !== undefined && this.groupOf.get(record.id) !== identity) {
      // Re-registered with another identity: leave the old group (handing it over if needed).
      await this.leaveGroup(previous);
    } else if (previous !== undefined && previous.standby !== true && previous.status === 'registered') {
      if (previous.record.trigger_type !== record.trigger_type) await this.callUnregister(previous.record);
    }
    const entry: TriggerEntry = { record, status: 'pending' };
    this.triggers.set(record.id, entry);
    if (identity !== undefined && this.joinGroup(identity, record.id)) {
      entry.standby = true;
      entry.status = 'registered';
      return 'registered';
    }
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
    await this.leaveGroup(entry);
    return entry.record;
  }

  /** Ownership: neither another principal's trigger id nor its replica group may be taken or joined. */
  private checkOwnership(record: TriggerRecord, previous: TriggerEntry | undefined, identity: string | undefined): void {
    if (this.policy === undefined) return;
    if (previous !== undefined && previous.record.worker_id !== record.worker_id) {
      this.policy.check(`trigger ${record.id}`, previous.record.worker_id, record.worker_id);
    }
    const members = identity === undefined ? undefined : this.groups.get(identity);
    for (const id of members ?? []) {
      const holder = this.triggers.get(id)?.record.worker_id;
      if (id !== record.id && holder !== record.worker_id)
        this.policy.check(`an identical ${record.trigger_type} trigger`, holder, record.worker_id);
    }
  }

  /** Whether `id` stands by for an identical trigger of another replica. */
  isStandby(id: string): boolean {
    return this.triggers.get(id)?.standby === true;
  }

  /** The identity grouping replicas' copies of a trigger; undefined when this trigger is not pooled. */
  private identityOf(record: TriggerRecord): string | undefined {
    if (!this.pooling || record.worker_id === undefined) return undefined;
    return triggerIdentity(record);
  }

  /** Adds `id` to its identity's group; true when another member is already in service (stand by). */
  private joinGroup(identity: string, id: string): boolean {
    this.groupOf.set(id, identity);
    const members = this.groups.get(identity);
    if (members === undefined) {
      this.groups.set(identity, [id]);
      return false;
    }
    if (!members.includes(id)) members.push(id);
    return members[0] !== id;
  }

  /**
   * Takes a removed (or re-registered) trigger out of its group. When it was in service and a
   * replica's copy stands by, that copy is handed to the provider first, then the old one withdrawn.
   */
  private async leaveGroup(entry: TriggerEntry): Promise<void> {
    const id = entry.record.id;
    const identity = this.groupOf.get(id);
    this.groupOf.delete(id);
    const members = identity === undefined ? undefined : this.groups.get(identity);
    const wasActive = members === undefined || members[0] === id;
    if (members !== undefined && identity !== undefined) {
      members.splice(members.indexOf(id), 1);
      if (members.length === 0) this.groups.delete(identity);
    }
    if (!wasActive || entry.standby === true) return;
    const successor = members?.[0] === undefined ? undefined : this.triggers.get(members[0]);
    if (successor !== undefined) {
      successor.standby = false;
      successor.status = 'pending';
      const type = this.types.get(successor.record.trigger_type);
      if (type !== undefined) await this.activate(successor, type);
    }
    if (entry.status === 'registered') await this.callUnregister(entry.record);
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

  /** Registered triggers of a type (what `engine::triggers::info` counts as instances; replicas' copies included). */
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

/** Key order does not matter: `{a, b}` and `{b, a}` are the same config. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${fields.map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The stable identity of a trigger: function id + trigger type + config. iii-sdk gives every
 * registration a fresh random id, so replicas of one app register the same trigger under
 * different ids; the identity is what they share.
 */
export function triggerIdentity(record: Pick<TriggerRecord, 'function_id' | 'trigger_type' | 'config'>): string {
  return `${record.function_id}\u0000${record.trigger_type}\u0000${canonical(record.config ?? null)}`;
}
