/**
 * The `state` trigger type (engine.md §7.3): config `{scope?, key?, condition_function_id?, retry?}`;
 * a trigger matches a write when every filter it sets equals the write's scope/key.
 *
 * With the engine's own storage, triggers are delivered from the change log by one
 * `TriggerCursor` per trigger *identity*: function id + trigger type + identifying config (scope,
 * key, condition). iii-sdk gives every registration a fresh random id, so the id cannot carry a
 * cursor across restarts; the identity does. Several registrations with one identity share one
 * cursor (each change goes to the most recent of them). `retry` and `concurrency` are not part of
 * the identity, so tuning them in a deploy keeps the cursor.
 *
 * With the `bridge` adapter (values on another engine) there is no log: events are handed to
 * `ctx.fire` from memory, as the reference engine does.
 */
import { createHash } from 'node:crypto';
import type { EngineContext, Json, StateEventType, StateLog, TriggerRecord, TriggerTypeProvider } from '../../core/types';
import type { ReactionDefaults } from './reaction-policy';
import { triggerConcurrency, triggerRetryPolicy } from './reaction-policy';
import type { ReactionStore } from './reaction-store';
import { TriggerCursor, type CursorTarget } from './trigger-cursor';

export const STATE_TRIGGER_TYPE = 'state';

export type { StateEventType } from '../../core/types';
export type { StateEvent } from './trigger-cursor';

interface Binding {
  record: TriggerRecord;
  scope: string | undefined;
  key: string | undefined;
  identity: string;
}

/** What log-based delivery needs (absent for the bridge adapter). */
export interface LogDelivery {
  log: StateLog;
  store: ReactionStore;
  context: Pick<EngineContext, 'invoke' | 'logger' | 'clock'>;
  defaults: ReactionDefaults;
}

export class StateTriggers implements TriggerTypeProvider {
  /** By trigger id; re-registering an id replaces its binding (SDK replays reuse ids). */
  private readonly bindings = new Map<string, Binding>();
  private readonly cursors = new Map<string, TriggerCursor>();
  private delivery: LogDelivery | undefined;
  private unsubscribe: (() => void) | undefined;

  /** Switches to delivery from the change log (call before triggers register). */
  deliverFromLog(delivery: LogDelivery): void {
    this.delivery = delivery;
    this.unsubscribe = delivery.log.onCommit(() => {
      for (const cursor of this.cursors.values()) cursor.wake();
    });
  }

  register(trigger: TriggerRecord): void {
    const { scope, key, conditionId } = parseTriggerConfig(trigger.config);
    const delivery = this.delivery;
    // Parsed before anything changes, so a bad retry or concurrency fails the registration cleanly.
    const retry = delivery === undefined ? undefined : triggerRetryPolicy(trigger.config, delivery.defaults);
    const concurrency = delivery === undefined ? 0 : triggerConcurrency(trigger.config, delivery.defaults.concurrency);
    this.unregister(trigger);
    const target = targetOf(trigger.function_id, scope, key, conditionId);
    this.bindings.set(trigger.id, { record: trigger, scope, key, identity: target.identity });
    if (delivery === undefined || retry === undefined) return;
    let cursor = this.cursors.get(target.identity);
    if (cursor === undefined) {
      cursor = new TriggerCursor(target, delivery);
      this.cursors.set(target.identity, cursor);
    }
    cursor.bind(trigger, { retry, concurrency });
  }

  unregister(trigger: TriggerRecord): void {
    const binding = this.bindings.get(trigger.id);
    if (binding === undefined) return;
    this.bindings.delete(trigger.id);
    const cursor = this.cursors.get(binding.identity);
    if (cursor !== undefined && cursor.unbind(trigger.id)) {
      cursor.close();
      this.cursors.delete(binding.identity);
    }
  }

  /** The triggers to notify of a write, in registration order (bridge adapter). */
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
   * Bridge adapter only (no change log): hands a write's event to the matching triggers through
   * `ctx.fire`, which evaluates their conditions. Nothing is retried or remembered.
   */
  fire(ctx: Pick<EngineContext, 'fire'>, eventType: StateEventType, scope: string, key: string, oldValue: Json, newValue: Json): void {
    const matching = this.matching(scope, key);
    if (matching.length === 0) return;
    ctx.fire(matching, { type: 'state', event_type: eventType, scope, key, old_value: oldValue, new_value: newValue });
  }

  /** True when no cursor has a change due (for the engine's `settle()`). */
  isIdle(): boolean {
    for (const cursor of this.cursors.values()) if (!cursor.isIdle()) return false;
    return true;
  }

  /** The lowest position a live cursor still needs (compaction keeps it). */
  lowestLivePosition(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const cursor of this.cursors.values()) lowest = Math.min(lowest, cursor.position + 1);
    return lowest;
  }

  /** Saves every live cursor's low-water mark now (before `state::reactions::cursors` reads them). */
  savePositions(): void {
    for (const cursor of this.cursors.values()) cursor.savePosition();
  }

  /** Live cursors by identity (for `state::reactions::cursors`). */
  liveIdentities(): Set<string> {
    return new Set(this.cursors.keys());
  }

  /** Saves every cursor and stops delivery (engine shutdown). */
  clear(): void {
    for (const cursor of this.cursors.values()) cursor.close();
    this.cursors.clear();
    this.bindings.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get size(): number {
    return this.bindings.size;
  }
}

/** The identity of a trigger: a hash of function id, trigger type and identifying config. */
export function targetOf(functionId: string, scope?: string, key?: string, conditionId?: string): CursorTarget {
  const configText = JSON.stringify({
    ...(scope !== undefined && { scope }),
    ...(key !== undefined && { key }),
    ...(conditionId !== undefined && { condition_function_id: conditionId }),
  });
  const identity = createHash('sha256').update(`${functionId}\u0000${STATE_TRIGGER_TYPE}\u0000${configText}`).digest('hex').slice(0, 32);
  return { identity, functionId, configText, scope, key, conditionId };
}

/**
 * Reads the filters of a trigger config. Absent/null config and null fields mean "any". Throws
 * `Failed to parse trigger config: …`, which the registry reports as `trigger_registration_failed`.
 */
export function parseTriggerConfig(config: unknown): {
  scope: string | undefined;
  key: string | undefined;
  conditionId: string | undefined;
} {
  if (config === undefined || config === null) return { scope: undefined, key: undefined, conditionId: undefined };
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`Failed to parse trigger config: invalid type: ${Array.isArray(config) ? 'sequence' : typeof config}, expected a map`);
  }
  const fields = config as Record<string, unknown>;
  // Checked here so a bad condition id fails the registration instead of every later event.
  const condition = optionalString(fields, 'condition_function_id');
  return {
    scope: optionalString(fields, 'scope'),
    key: optionalString(fields, 'key'),
    conditionId: condition === '' ? undefined : condition,
  };
}

function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new Error(`Failed to parse trigger config: invalid type for \`${name}\`: expected a string`);
  }
  return value;
}
