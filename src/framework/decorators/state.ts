import type { StateEventName, StateTriggerMeta } from '../metadata/types';
import { describe, invalid, optionalString, rejectUnknownKeys, requireNonEmptyString, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

export type StateEventFilter = 'created' | 'updated' | 'deleted' | StateEventName;

export interface OnStateChangeOptions {
  /** Only this key of the scope. */
  key?: string;
  /** Only these change kinds (all when absent). */
  events?: StateEventFilter[];
  functionId?: string;
}

/** Reacts to `state::set|update|delete` in a scope: trigger type `state`. */
export function OnStateChange(scope: string, options?: OnStateChangeOptions): MethodDecorator {
  const name = `@OnStateChange('${String(scope)}')`;
  requireNonEmptyString(name, 'scope', scope);
  const opts = requireOptionsObject(name, options) as OnStateChangeOptions;
  rejectUnknownKeys(name, opts, ['key', 'events', 'functionId']);
  const key = optionalString(name, 'key', opts.key);
  const events = normalizeEvents(name, opts.events);
  const functionId = optionalFunctionId(name, opts.functionId);
  return triggerDecorator(name, (method): StateTriggerMeta => ({
    kind: 'state',
    method,
    scope,
    ...(key !== undefined ? { key } : {}),
    ...(events !== undefined ? { events } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}

function normalizeEvents(name: string, events: unknown): StateEventName[] | undefined {
  if (events === undefined) return undefined;
  if (!Array.isArray(events) || events.length === 0) {
    throw invalid(name, `events must be a non-empty array (got ${describe(events)})`);
  }
  return events.map((e: unknown) => {
    const full = typeof e === 'string' && !e.startsWith('state:') ? `state:${e}` : e;
    if (full !== 'state:created' && full !== 'state:updated' && full !== 'state:deleted') {
      throw invalid(name, `unknown event ${describe(e)}; use 'created', 'updated' or 'deleted'`);
    }
    return full;
  });
}
