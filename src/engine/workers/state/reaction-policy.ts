/**
 * How state-trigger reactions are delivered: retries, backoff, parallelism and log retention.
 * Engine-wide defaults come from the `iii-state` config block (`reactions:` and `change_log:`);
 * a trigger may override the retry part (`retry: {...}`) and its parallelism (`concurrency`) in
 * its own config, which is how `@OnStateChange(scope, { retry, concurrency })` reaches the engine.
 */
import { isPlainObject } from '../../core/ids';
import type { LogRetention } from '../../core/types';

export interface RetryPolicy {
  /** Attempts before the change is parked as a dead letter (1 = no retry). */
  maxAttempts: number;
  /** Delay before the first retry; each later one doubles it. */
  backoffMs: number;
  /** Upper bound of the delay. */
  maxBackoffMs: number;
}

export interface ReactionDefaults extends RetryPolicy {
  /** Keys of one trigger handled at the same time (one key's changes are always one at a time). */
  concurrency: number;
  /** Changes a trigger reads ahead of the slowest unfinished one. */
  bufferSize: number;
}

export const DEFAULT_REACTIONS: Readonly<ReactionDefaults> = Object.freeze({
  maxAttempts: 5,
  backoffMs: 200,
  maxBackoffMs: 30_000,
  concurrency: 16,
  bufferSize: 1024,
});

export const DEFAULT_LOG_RETENTION: Readonly<LogRetention> = Object.freeze({ maxRecords: 100_000, maxAgeMs: 7 * 24 * 3600_000 });

/** Delay before retry n (n = attempts made so far, ≥ 1). */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, attempts - 1));
}

/** Reads `reactions:` of the iii-state config; throws a message naming the bad field. */
export function parseReactionDefaults(raw: unknown): ReactionDefaults {
  const fields = asFields(raw, 'reactions');
  const retry = readRetry(fields, DEFAULT_REACTIONS, 'reactions');
  return {
    ...retry,
    concurrency: positiveInt(fields, 'concurrency', DEFAULT_REACTIONS.concurrency, 'reactions'),
    bufferSize: positiveInt(fields, 'buffer_size', DEFAULT_REACTIONS.bufferSize, 'reactions'),
  };
}

/** Reads `change_log:` of the iii-state config. */
export function parseRetention(raw: unknown): LogRetention {
  const fields = asFields(raw, 'change_log');
  return {
    maxRecords: positiveInt(fields, 'max_records', DEFAULT_LOG_RETENTION.maxRecords, 'change_log'),
    maxAgeMs: positiveInt(fields, 'max_age_ms', DEFAULT_LOG_RETENTION.maxAgeMs, 'change_log'),
  };
}

/**
 * A trigger's `concurrency` (keys handled at once) over the default. Like `retry` it tunes the
 * delivery, not what is delivered, so it is not part of the trigger's identity (its cursor).
 */
export function triggerConcurrency(config: unknown, fallback: number): number {
  if (!isPlainObject(config)) return fallback;
  const value = config['concurrency'];
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Error('`concurrency` must be an integer >= 1');
  return value as number;
}

/** A trigger's `retry` config over the defaults (throws on a malformed one: the registration fails). */
export function triggerRetryPolicy(config: unknown, defaults: RetryPolicy): RetryPolicy {
  if (!isPlainObject(config)) return defaults;
  const retry = config['retry'];
  if (retry === undefined || retry === null) return defaults;
  return readRetry(asFields(retry, 'retry'), defaults, 'retry');
}

function readRetry(fields: Record<string, unknown>, defaults: RetryPolicy, where: string): RetryPolicy {
  return {
    maxAttempts: positiveInt(fields, 'max_attempts', defaults.maxAttempts, where),
    backoffMs: nonNegativeInt(fields, 'backoff_ms', defaults.backoffMs, where),
    maxBackoffMs: nonNegativeInt(fields, 'max_backoff_ms', defaults.maxBackoffMs, where),
  };
}

function asFields(raw: unknown, where: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`\`${where}\` must be a mapping`);
  return raw as Record<string, unknown>;
}

function positiveInt(fields: Record<string, unknown>, name: string, fallback: number, where: string): number {
  const value = nonNegativeInt(fields, name, fallback, where);
  if (value < 1) throw new Error(`\`${where}.${name}\` must be an integer >= 1`);
  return value;
}

function nonNegativeInt(fields: Record<string, unknown>, name: string, fallback: number, where: string): number {
  const value = fields[name];
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`\`${where}.${name}\` must be an integer >= 0`);
  return value as number;
}
