import type { QueueTriggerMeta } from '../metadata/types';
import { optionalString } from './checks';
import { functionIdOption, triggerDecorator } from './trigger';

export interface OnQueueOptions {
  functionId?: string;
}

/**
 * A queue consumer: registers a function meant to be the target of `TriggerAction.Enqueue`
 * (no trigger: the queue provider invokes the function with the enqueued data). `queue` is the
 * queue `Queue.enqueue(functionId, data)` puts its jobs on. Retries, backoff and concurrency are
 * settings of that queue in the engine (`queue_configs` of `iii-queue` in config.yaml), not of the
 * consumer: a job that throws is retried by the queue and dead-lettered after its attempts.
 */
export function OnQueue(queue?: string, options?: OnQueueOptions): MethodDecorator {
  const name = `@OnQueue(${queue === undefined ? '' : `'${String(queue)}'`})`;
  optionalString(name, 'queue', queue);
  const functionId = functionIdOption(name, options);
  return triggerDecorator(name, (method): QueueTriggerMeta => ({
    kind: 'queue',
    method,
    ...(queue !== undefined ? { queue } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
