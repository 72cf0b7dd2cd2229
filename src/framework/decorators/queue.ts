import type { QueueRetry, QueueTriggerMeta } from '../metadata/types';
import { describe, invalid, optionalString, rejectUnknownKeys, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

export interface OnQueueOptions {
  functionId?: string;
  /**
   * This consumer's retries, instead of the queue's settings: `maxAttempts` deliveries in all
   * (≥ 1) before the job goes to the queue's dead-letter list, the first retry after `backoffMs`
   * (≥ 0), doubling each time. Carried by every job `Queue.enqueue` makes for this function. On an
   * engine whose queue cannot take per-job settings (a real iii engine) the queue's settings apply,
   * and the application says so once in its log.
   */
  retry?: QueueRetry;
}

/**
 * A queue consumer: registers a function meant to be the target of `TriggerAction.Enqueue`
 * (no trigger: the queue provider invokes the function with the enqueued data). `queue` is the
 * queue `Queue.enqueue(functionId, data)` puts its jobs on. A job that throws is retried and, once
 * its attempts are used up, kept in the queue's dead-letter list: by `retry` when given, else by the
 * queue's engine settings (`queue_configs` of `iii-queue` in config.yaml).
 */
export function OnQueue(queue?: string, options?: OnQueueOptions): MethodDecorator {
  const name = `@OnQueue(${queue === undefined ? '' : `'${String(queue)}'`})`;
  optionalString(name, 'queue', queue);
  const opts = requireOptionsObject(name, options) as OnQueueOptions;
  rejectUnknownKeys(name, opts, ['functionId', 'retry']);
  const functionId = optionalFunctionId(name, opts.functionId);
  const retry = queueRetry(name, opts.retry);
  return triggerDecorator(name, (method): QueueTriggerMeta => ({
    kind: 'queue',
    method,
    ...(queue !== undefined ? { queue } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
    ...(retry !== undefined ? { retry } : {}),
  }));
}

/** Checks `retry` where it is written, so a typo fails at class definition, not at the first failure. */
export function queueRetry(name: string, retry: unknown): QueueRetry | undefined {
  if (retry === undefined) return undefined;
  if (retry === null || typeof retry !== 'object' || Array.isArray(retry))
    throw invalid(name, `retry must be an object (got ${describe(retry)})`);
  const fields = retry as Record<string, unknown>;
  rejectUnknownKeys(`${name} retry`, fields, ['maxAttempts', 'backoffMs']);
  const out: { maxAttempts?: number; backoffMs?: number } = {};
  for (const [key, min] of [
    ['maxAttempts', 1],
    ['backoffMs', 0],
  ] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw invalid(name, `retry.${key} must be an integer >= ${min} (got ${describe(value)})`);
    }
    out[key] = value;
  }
  return out;
}
