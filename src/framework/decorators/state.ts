import type { StateChangeEvent } from '../../protocol';
import type { StateEventName, StateTriggerMeta } from '../metadata/types';
import { describe, invalid, optionalString, rejectUnknownKeys, requireNonEmptyString, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

export type StateEventFilter = 'created' | 'updated' | 'deleted' | StateEventName;

export interface OnStateChangeOptions {
  /** Only this key of the scope. */
  key?: string;
  /** Only these change kinds (all when absent). */
  events?: StateEventFilter[];
  /**
   * Evaluated by the engine before each call (its `condition_function_id`): the method runs unless
   * the condition answers exactly `false`. Either the id of a function that decides (another
   * `@Fn`, or any worker's), or a predicate, which the framework registers as the function
   * `<functionId>::condition`.
   */
  condition?: string | StateCondition;
  functionId?: string;
  /**
   * How the embedded engine retries this reaction when it throws (engine defaults otherwise),
   * before parking the change as a dead letter. Ignored by engines without retries.
   */
  retry?: ReactionRetryOptions;
  /**
   * How many keys of the scope the embedded engine hands this reaction at once (one key's changes
   * always go one at a time, in order); the engine default otherwise (16, `iii-state`
   * `reactions.concurrency`). Widen it for a cheap reaction that many keys wait on (a mirror into a
   * stream), narrow it for one that should not take the CPU from requests. Not part of the
   * reaction's identity: changing it keeps its cursor. Ignored by engines that run one task per
   * write (a real iii engine).
   */
  concurrency?: number;
}

/** Retry policy of one reaction: `maxAttempts` in all, waits `backoffMs`, doubled each time up to `maxBackoffMs`. */
export interface ReactionRetryOptions {
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** A predicate over the state event; `false` skips the call (an error skips it too). */
export type StateCondition = (event: StateChangeEvent) => boolean | Promise<boolean>;

/** Reacts to `state::set|update|delete` in a scope: trigger type `state`. */
export function OnStateChange(scope: string, options?: OnStateChangeOptions): MethodDecorator {
  const name = `@OnStateChange('${String(scope)}')`;
  requireNonEmptyString(name, 'scope', scope);
  const opts = requireOptionsObject(name, options) as OnStateChangeOptions;
  rejectUnknownKeys(name, opts, ['key', 'events', 'condition', 'functionId', 'retry', 'concurrency']);
  const key = optionalString(name, 'key', opts.key);
  const events = normalizeEvents(name, opts.events);
  const functionId = optionalFunctionId(name, opts.functionId);
  const condition = opts.condition;
  if (condition !== undefined && typeof condition !== 'function')
    requireNonEmptyString(name, 'condition (a function id or a predicate)', condition);
  const retry = normalizeRetry(name, opts.retry);
  const concurrency = opts.concurrency;
  if (concurrency !== undefined && (typeof concurrency !== 'number' || !Number.isSafeInteger(concurrency) || concurrency < 1)) {
    throw invalid(name, `concurrency must be an integer >= 1 (got ${describe(concurrency)})`);
  }
  return triggerDecorator(name, (method): StateTriggerMeta => ({
    kind: 'state',
    method,
    scope,
    ...(key !== undefined ? { key } : {}),
    ...(events !== undefined ? { events } : {}),
    ...(condition !== undefined ? { condition: condition as StateTriggerMeta['condition'] } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
    ...(retry !== undefined ? { retry } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  }));
}

/** `retry` as the engine's trigger config reads it (`max_attempts`, `backoff_ms`, `max_backoff_ms`). */
function normalizeRetry(name: string, retry: unknown): Record<string, number> | undefined {
  if (retry === undefined) return undefined;
  if (retry === null || typeof retry !== 'object' || Array.isArray(retry))
    throw invalid(name, `retry must be an object (got ${describe(retry)})`);
  const fields = retry as Record<string, unknown>;
  rejectUnknownKeys(`${name} retry`, fields, ['maxAttempts', 'backoffMs', 'maxBackoffMs']);
  const out: Record<string, number> = {};
  const names: Array<[string, string, number]> = [
    ['maxAttempts', 'max_attempts', 1],
    ['backoffMs', 'backoff_ms', 0],
    ['maxBackoffMs', 'max_backoff_ms', 0],
  ];
  for (const [key, wire, min] of names) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw invalid(name, `retry.${key} must be an integer >= ${min} (got ${describe(value)})`);
    }
    out[wire] = value;
  }
  return out;
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
