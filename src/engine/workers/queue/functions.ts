import { EngineError } from '../../core/errors';
import type { BuiltinFunction } from '../../core/types';
import type { QueueDispatcher } from './dispatcher';
import { readCount, readMessageId, readObject, readQueueName, readTopic } from './inputs';
import type { QueueStore, StoredJob } from './store';

/**
 * The dead-letter and inspection functions of `iii-queue` (ids from the reference engine, engine.md §6.15).
 * Shapes (our own where the reference leaves them to its adapters):
 *
 *   iii::queue::redrive          {queue}               → {queue, redriven: n}
 *   iii::queue::redrive_message  {queue, message_id}   → {queue, message_id, redriven: 0|1}
 *   iii::queue::discard_message  {queue, message_id}   → {queue, message_id, discarded: 0|1}
 *   engine::queue::dlq_messages  {topic|queue, offset=0, limit=50 (≤ 1000)}
 *        → [{id, queue, function_id, data, attempts, error, enqueued_at_ms, failed_at_ms}] (oldest failure first)
 *   engine::queue::dlq_topics    {}  → [{topic, broker_type: "function_queue", message_count}]
 *   engine::queue::list_topics   {}  → [{name, broker_type: "function_queue", subscriber_count}]
 *   engine::queue::topic_stats   {topic|queue}
 *        → {depth, in_flight, dlq_depth, consumer_count, delivered, failed}
 *
 * `queue`/`topic` are accepted as aliases of each other; `id` is the job's message id, which is
 * the `messageReceiptId` the enqueuer got back. Redriven jobs restart with a fresh attempt count.
 * An unknown queue is `queue_not_found` (`Queue '<name>' not found`).
 */

export interface QueueAdmin {
  readonly store: QueueStore;
  readonly dispatchers: ReadonlyMap<string, QueueDispatcher>;
  now(): number;
}

export const DLQ_PAGE_MAX = 1000;

export function queueAdminFunctions(admin: QueueAdmin): BuiltinFunction[] {
  const dispatcherFor = (name: string): QueueDispatcher => {
    const dispatcher = admin.dispatchers.get(name);
    if (dispatcher === undefined) throw queueNotFound(name);
    return dispatcher;
  };

  return [
    {
      id: 'iii::queue::redrive',
      description: 'Move every dead-letter job of a queue back to the queue',
      handler: (input) => {
        const queue = readQueueName(readObject(input, 'iii::queue::redrive'), 'iii::queue::redrive');
        const dispatcher = dispatcherFor(queue);
        const redriven = admin.store.redriveAll(queue, admin.now());
        if (redriven > 0) dispatcher.wake();
        return { queue, redriven };
      },
    },
    {
      id: 'iii::queue::redrive_message',
      description: 'Move one dead-letter job back to its queue',
      handler: (input) => {
        const fn = 'iii::queue::redrive_message';
        const record = readObject(input, fn);
        const queue = readQueueName(record, fn);
        const messageId = readMessageId(record, fn);
        const dispatcher = dispatcherFor(queue);
        const found = admin.store.redriveOne(queue, messageId, admin.now());
        if (found) dispatcher.wake();
        return { queue, message_id: messageId, redriven: found ? 1 : 0 };
      },
    },
    {
      id: 'iii::queue::discard_message',
      description: 'Delete one dead-letter job',
      handler: (input) => {
        const fn = 'iii::queue::discard_message';
        const record = readObject(input, fn);
        const queue = readQueueName(record, fn);
        const messageId = readMessageId(record, fn);
        dispatcherFor(queue);
        return { queue, message_id: messageId, discarded: admin.store.discardOne(queue, messageId) ? 1 : 0 };
      },
    },
    {
      id: 'engine::queue::dlq_messages',
      description: 'Browse the dead-letter jobs of a queue',
      handler: (input) => {
        const fn = 'engine::queue::dlq_messages';
        const record = readObject(input, fn);
        const queue = readTopic(record, fn);
        dispatcherFor(queue);
        const offset = readCount(record, 'offset', { fallback: 0, max: Number.MAX_SAFE_INTEGER, fn });
        const limit = readCount(record, 'limit', { fallback: 50, max: DLQ_PAGE_MAX, fn });
        return admin.store.deadJobs(queue, offset, limit).map(deadLetterView);
      },
    },
    {
      id: 'engine::queue::dlq_topics',
      description: 'Dead-letter counts per queue',
      handler: () =>
        [...admin.dispatchers.keys()].map((name) => ({
          topic: name,
          broker_type: 'function_queue',
          message_count: admin.store.counts(name).dead,
        })),
    },
    {
      id: 'engine::queue::list_topics',
      description: 'The configured queues',
      handler: () =>
        [...admin.dispatchers.values()].map((dispatcher) => ({
          name: dispatcher.settings.name,
          broker_type: 'function_queue',
          subscriber_count: dispatcher.settings.concurrency,
        })),
    },
    {
      id: 'engine::queue::topic_stats',
      description: 'Depth, in-flight, dead-letter and delivery counts of a queue',
      handler: (input) => {
        const fn = 'engine::queue::topic_stats';
        const queue = readTopic(readObject(input, fn), fn);
        const dispatcher = dispatcherFor(queue);
        const counts = admin.store.counts(queue);
        return {
          depth: counts.ready,
          in_flight: counts.running,
          dlq_depth: counts.dead,
          consumer_count: dispatcher.settings.concurrency,
          delivered: dispatcher.counters.delivered,
          failed: dispatcher.counters.failed,
        };
      },
    },
  ];
}

export function queueNotFound(name: string): EngineError {
  return new EngineError('queue_not_found', `Queue '${name}' not found`);
}

function deadLetterView(job: StoredJob): Record<string, unknown> {
  return {
    id: job.id,
    queue: job.queue,
    function_id: job.function_id,
    data: job.data,
    attempts: job.attempts,
    error: job.last_error,
    enqueued_at_ms: job.enqueued_at,
    failed_at_ms: job.failed_at,
  };
}
