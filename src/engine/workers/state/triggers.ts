/**
 * The `state` trigger type (engine.md §7.3): config `{scope?, key?, condition_function_id?}`; a trigger
 * matches a write when every filter it sets equals the write's scope/key. The condition itself is
 * evaluated by `EngineContext.fire`.
 */
import type { StateChangeEvent, StateEventType } from '../../../protocol/triggers';
import type { EngineContext, Json, TriggerRecord, TriggerTypeProvider } from '../../core/types';

export type { StateEventType };

export const STATE_TRIGGER_TYPE = 'state';

/** The payload every matching trigger receives. */
export type StateEvent = StateChangeEvent<Json>;

interface Binding {
  record: TriggerRecord;
  scope: string | undefined;
  key: string | undefined;
}

export class StateTriggers implements TriggerTypeProvider {
  /** By trigger id; re-registering an id replaces its binding (SDK replays reuse ids). */
  private readonly bindings = new Map<string, Binding>();

  register(trigger: TriggerRecord): void {
    const { scope, key } = parseTriggerConfig(trigger.config);
    this.bindings.set(trigger.id, { record: trigger, scope, key });
  }

  unregister(trigger: TriggerRecord): void {
    this.bindings.delete(trigger.id);
  }

  /** The triggers to notify of a write, in registration order. */
  matching(scope: string, key: string): TriggerRecord[] {
    const matches: TriggerRecord[] = [];
    for (const binding of this.bindings.values()) {
      if ((binding.scope === undefined || binding.scope === scope) && (binding.key === undefined || binding.key === key)) {
        matches.push(binding.record);
      }
    }
    return matches;
  }

  /**
   * Hands a write's event to the matching triggers (`ctx.fire` evaluates their conditions). The
   * event is built only when some trigger matches, so an unwatched write costs one scan.
   */
  fire(ctx: Pick<EngineContext, 'fire'>, eventType: StateEventType, scope: string, key: string, oldValue: Json, newValue: Json): void {
    const matching = this.matching(scope, key);
    if (matching.length === 0) return;
    const event: StateEvent = { type: 'state', event_type: eventType, scope, key, old_value: oldValue, new_value: newValue };
    ctx.fire(matching, event);
  }

  clear(): void {
    this.bindings.clear();
  }

  get size(): number {
    return this.bindings.size;
  }
}

/**
 * Reads the filters of a trigger config. Absent/null config and null fields mean "any". Throws
 * `Failed to parse trigger config: …`, which the registry reports as `trigger_registration_failed`.
 */
export function parseTriggerConfig(config: unknown): { scope: string | undefined; key: string | undefined } {
  if (config === undefined || config === null) return { scope: undefined, key: undefined };
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`Failed to parse trigger config: invalid type: ${Array.isArray(config) ? 'sequence' : typeof config}, expected a map`);
  }
  const fields = config as Record<string, unknown>;
  // Checked here so a bad condition id fails the registration instead of every later event.
  optionalString(fields, 'condition_function_id');
  return { scope: optionalString(fields, 'scope'), key: optionalString(fields, 'key') };
}

function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new Error(`Failed to parse trigger config: invalid type for \`${name}\`: expected a string`);
  }
  return value;
}
