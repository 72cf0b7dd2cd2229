import { randomUUID } from 'node:crypto';
import { EngineError } from '../../core/errors';
import type { EngineContext, EngineWorker, WorkerFactory } from '../../core/types';
import type { Clock } from '../../lib/clock';
import { DEFAULT_QUEUE, parseQueueWorkerConfig, type QueueSettings, type QueueWorkerConfig } from './config';
import { QueueDispatcher } from './dispatcher';
import { queueAdminFunctions, queueNotFound } from './functions';
import { readEnqueueInput } from './inputs';
import { QueueStore } from './store';

/**
 * `iii-queue`: the embedded provider behind `TriggerAction.Enqueue` (engine.md §12.3). The engine calls
 * `engine::queue::enqueue {queue, function_id, data, messageReceiptId, traceparent?, baggage?}`
 * (plus, from workers that call it directly, `max_attempts?` and `backoff_ms?`: this job's retries
 * instead of the queue's);
 * we commit the job to SQLite (`ctx.storage.database`) before answering, so an acknowledged job
 * survives a crash or restart, and deliver it to `function_id` with retries and a dead-letter
 * list (see dispatcher.ts and functions.ts). Delivery is at-least-once: a job interrupted by a
 * crash or an unfinished shutdown runs again after the next start.
 */
export const createQueueWorker: WorkerFactory = (config) => new QueueWorker(parseQueueWorkerConfig(config));

export const ENQUEUE_FUNCTION_ID = 'engine::queue::enqueue';

export class QueueWorker implements EngineWorker {
  readonly name = 'iii-queue';
  private readonly dispatchers = new Map<string, QueueDispatcher>();
  private store: QueueStore | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(
    private readonly config: QueueWorkerConfig,
    /** Overrides the engine's clock (unit tests); by default the worker uses `ctx.clock`. */
    private clockOverride?: Clock,
  ) {}

  private get clock(): Clock {
    if (this.clockOverride === undefined) throw new Error('iii-queue is not running');
    return this.clockOverride;
  }

  async start(context: EngineContext): Promise<void> {
    if (this.state !== 'idle') throw new Error('iii-queue can only be started once');
    this.state = 'running';
    this.clockOverride ??= context.clock;
    const store = new QueueStore(context.storage.database);
    this.store = store;
    const recovered = store.recoverRunning(this.clock.now());
    if (recovered > 0) context.logger.info('Recovered interrupted queue jobs', { count: recovered });
    for (const settings of this.config.queues.values()) {
      this.dispatchers.set(settings.name, new QueueDispatcher(settings, store, context, this.clock));
    }

    context.registerFunction({
      id: ENQUEUE_FUNCTION_ID,
      description: 'Queue provider: store a job for a function and deliver it with retries',
      handler: (input) => this.enqueue(input),
    });
    const admin = { store, dispatchers: this.dispatchers, now: () => this.clock.now() };
    for (const fn of queueAdminFunctions(admin)) context.registerFunction(fn);

    context.registerIdleProbe('queue', () => [...this.dispatchers.values()].every((d) => !d.busy));
    // Work left from before a restart starts flowing at once.
    for (const dispatcher of this.dispatchers.values()) dispatcher.wake();
  }

  /** Stops dispatching and waits (bounded by `shutdown_timeout_ms`) for running jobs. Idempotent. */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    await Promise.all([...this.dispatchers.values()].map((d) => d.stop(this.config.shutdown_timeout_ms)));
  }

  /** Echoes a job's own retry settings, so a caller can tell they were applied (the framework's `Queue`). */
  private enqueue(input: unknown): { messageReceiptId: string; retry?: { max_attempts?: number; backoff_ms?: number } } {
    const store = this.store;
    if (this.state !== 'running' || store === undefined) {
      throw new EngineError('queue_stopped', 'The queue worker is shutting down');
    }
    const request = readEnqueueInput(input);
    const name = request.queue === '' ? DEFAULT_QUEUE : request.queue;
    const dispatcher = this.dispatchers.get(name);
    if (dispatcher === undefined) throw queueNotFound(name);
    const messageReceiptId = request.messageReceiptId ?? randomUUID();
    store.insert(
      {
        id: messageReceiptId,
        queue: name,
        function_id: request.function_id,
        data: request.data,
        group_key: groupKeyOf(dispatcher.settings, request.data),
        traceparent: request.traceparent,
        baggage: request.baggage,
        max_attempts: request.max_attempts,
        backoff_ms: request.backoff_ms,
      },
      this.clock.now(),
    );
    dispatcher.wake();
    if (request.max_attempts === undefined && request.backoff_ms === undefined) return { messageReceiptId };
    return { messageReceiptId, retry: { max_attempts: request.max_attempts, backoff_ms: request.backoff_ms } };
  }
}

/** FIFO queues order jobs by the value of `message_group_field`, which must be present and non-null. */
function groupKeyOf(settings: QueueSettings, data: unknown): string | undefined {
  if (settings.type !== 'fifo' || settings.message_group_field === undefined) return undefined;
  const field = settings.message_group_field;
  const record = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  if (!Object.prototype.hasOwnProperty.call(record, field)) {
    throw new EngineError('INVALID_ARGUMENTS', `FIFO queue '${settings.name}' requires field '${field}' in data, but it was not found`);
  }
  const value = record[field];
  if (value === null || value === undefined) {
    throw new EngineError('INVALID_ARGUMENTS', `FIFO queue '${settings.name}': field '${field}' must not be null`);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
