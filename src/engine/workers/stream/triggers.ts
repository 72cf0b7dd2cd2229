/**
 * The trigger types `stream` (engine.md §8.4), `stream:join` and `stream:leave` (engine.md §8.5): registries and the
 * providers the engine core hands registrations to. Re-registering an id replaces its binding
 * (SDK replays reuse ids).
 */
import type { BuiltinTriggerType, TriggerRecord } from '../../core/types';
import { EngineError } from '../../core/errors';
import type { StreamMessage } from './types';

export const STREAM_TRIGGER_TYPE = 'stream';
export const JOIN_TRIGGER_TYPE = 'stream:join';
export const LEAVE_TRIGGER_TYPE = 'stream:leave';

/** The filters of a `stream` trigger; empty strings mean "any", like absent ones. */
export interface StreamTriggerFilter {
  streamName: string;
  groupId: string | undefined;
  itemId: string | undefined;
}

/**
 * Reads a `stream` trigger config. `stream_name` is required (the reference engine would panic
 * without it); `condition_function_id` is read later by `EngineContext.fire`.
 */
export function parseStreamTriggerConfig(config: unknown): StreamTriggerFilter {
  const fail = (reason: string): never => {
    throw new EngineError('trigger_registration_failed', `Failed to deserialize stream trigger: ${reason}`);
  };
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return fail('invalid type, expected a map with `stream_name`');
  }
  const fields = config as Record<string, unknown>;
  const optional = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    return typeof value === 'string' ? value : fail(`invalid type for \`${name}\`, expected a string`);
  };
  const streamName = fields.stream_name;
  if (typeof streamName !== 'string') {
    return fail(
      streamName === undefined || streamName === null ? 'missing field `stream_name`' : 'invalid type for `stream_name`, expected a string',
    );
  }
  optional('condition_function_id');
  return { streamName, groupId: optional('group_id'), itemId: optional('item_id') };
}

interface StreamBinding {
  record: TriggerRecord;
  filter: StreamTriggerFilter;
}

export class StreamTriggers {
  private readonly streamById = new Map<string, StreamBinding>();
  /** stream name → trigger id → binding: one lookup per event instead of a scan of all triggers. */
  private readonly streamByName = new Map<string, Map<string, StreamBinding>>();
  private readonly joins = new Map<string, TriggerRecord>();
  private readonly leaves = new Map<string, TriggerRecord>();
  /** Join guards whose function left with its worker: function id → trigger id. */
  private readonly orphaned = new Map<string, string>();

  /** `functionExists`: whether a function id is still registered (a guard's worker may be gone). */
  constructor(private readonly functionExists: (functionId: string) => boolean = () => true) {}

  /** The `stream` triggers an event must be delivered to, in registration order. */
  matching(message: StreamMessage): TriggerRecord[] {
    const bindings = this.streamByName.get(message.streamName);
    if (bindings === undefined) return [];
    const matched: TriggerRecord[] = [];
    for (const { record, filter } of bindings.values()) {
      if (filter.groupId !== undefined && filter.groupId !== message.groupId) continue;
      if (filter.itemId !== undefined && filter.itemId !== (message.id ?? '')) continue;
      matched.push(record);
    }
    return matched;
  }

  /** Every `stream:join` trigger (their configs are ignored, like the reference engine does). */
  joinTriggers(): TriggerRecord[] {
    return [...this.joins.values()];
  }

  /**
   * Join guards that went away with their worker (it disconnected or died: its function was gone
   * before its trigger). Joins are refused while there is one (fail closed), until a join trigger
   * on that function is registered again (the SDK does so when it reconnects). A trigger its worker
   * unregistered on purpose is simply gone.
   */
  orphanedGuards(): string[] {
    return [...this.orphaned.keys()];
  }

  leaveTriggers(): TriggerRecord[] {
    return [...this.leaves.values()];
  }

  /** The three trigger types, ready for `EngineContext.registerTriggerType`. */
  types(): BuiltinTriggerType[] {
    return [
      {
        id: STREAM_TRIGGER_TYPE,
        description: 'Stream trigger',
        provider: {
          register: (trigger) => this.addStream(trigger),
          unregister: (trigger) => this.removeStream(trigger.id),
        },
      },
      {
        id: JOIN_TRIGGER_TYPE,
        description: 'Stream join trigger',
        provider: {
          register: (trigger) => this.addJoin(trigger),
          unregister: (trigger) => this.removeJoin(trigger),
        },
      },
      {
        id: LEAVE_TRIGGER_TYPE,
        description: 'Stream leave trigger',
        provider: {
          register: (trigger) => void this.leaves.set(trigger.id, trigger),
          unregister: (trigger) => void this.leaves.delete(trigger.id),
        },
      },
    ];
  }

  private addJoin(record: TriggerRecord): void {
    this.joins.set(record.id, record);
    this.orphaned.delete(record.function_id);
  }

  private removeJoin(record: TriggerRecord): void {
    this.joins.delete(record.id);
    const stillGuarded = [...this.joins.values()].some((join) => join.function_id === record.function_id);
    if (!stillGuarded && !this.functionExists(record.function_id)) this.orphaned.set(record.function_id, record.id);
  }

  private addStream(record: TriggerRecord): void {
    const filter = parseStreamTriggerConfig(record.config);
    this.removeStream(record.id);
    const binding: StreamBinding = { record, filter };
    this.streamById.set(record.id, binding);
    let byId = this.streamByName.get(filter.streamName);
    if (byId === undefined) {
      byId = new Map();
      this.streamByName.set(filter.streamName, byId);
    }
    byId.set(record.id, binding);
  }

  private removeStream(id: string): void {
    const binding = this.streamById.get(id);
    if (binding === undefined) return;
    this.streamById.delete(id);
    const byId = this.streamByName.get(binding.filter.streamName);
    if (byId === undefined) return;
    byId.delete(id);
    if (byId.size === 0) this.streamByName.delete(binding.filter.streamName);
  }
}
