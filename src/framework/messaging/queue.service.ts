import { randomUUID } from 'node:crypto';
import { TriggerAction, type IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { queueRetry } from '../decorators/queue';
import { silentLogger, type Logger } from '../logger';
import type { QueueRetry } from '../metadata/types';
import { III_CLIENT, LOGGER, QUEUE_ROUTES } from '../tokens';

export interface EnqueueReceipt {
  messageReceiptId: string;
}

/** What a function's `@OnQueue` says about its jobs (filled at bootstrap). */
export interface QueueRoute {
  readonly queue?: string;
  readonly retry?: QueueRetry;
}

/** Per-call choices of `Queue.enqueue`. */
export interface EnqueueOptions {
  /** The queue (default: the one the function's `@OnQueue` names, else `default`). */
  queue?: string;
  /** This job's retries (default: the function's `@OnQueue` retry, else the queue's settings). */
  retry?: QueueRetry;
}

/**
 * The queue provider's function, which `TriggerAction.Enqueue` routes through. Called directly
 * only for jobs with their own retries: the action has no room for them.
 */
const ENQUEUE_FUNCTION_ID = 'engine::queue::enqueue';

/** What the embedded engine's queue answers when it took a job's own retries. */
interface DirectReceipt extends EnqueueReceipt {
  retry?: unknown;
}

/**
 * Enqueues work for an `@OnQueue` function (`TriggerAction.Enqueue`). Needs a queue provider in the
 * engine; without one the call rejects with `enqueue_error`.
 */
@Injectable()
export class Queue {
  private warnedIgnoredRetry = false;

  constructor(
    @Inject(III_CLIENT) private readonly iii: IIIClient,
    @Inject(QUEUE_ROUTES) private readonly routes: ReadonlyMap<string, QueueRoute> = new Map(),
    @Inject(LOGGER) private readonly logger: Logger = silentLogger,
  ) {}

  /**
   * Stores a job for `functionId`: on `options.queue` (or a queue name given as the third argument),
   * by default the queue its `@OnQueue('name')` names, else `default`. A job that throws is retried
   * by `options.retry`, else by its `@OnQueue` retry, else by the queue's engine settings.
   */
  enqueue<D>(functionId: string, data: D, options?: string | EnqueueOptions): Promise<EnqueueReceipt> {
    if (typeof functionId !== 'string' || functionId === '') throw new TypeError('functionId must be a non-empty string');
    const opts: EnqueueOptions = typeof options === 'string' ? { queue: options } : (options ?? {});
    const route = this.routes.get(functionId);
    const queue = opts.queue ?? route?.queue ?? 'default';
    const retry = opts.retry !== undefined ? queueRetry('Queue.enqueue()', opts.retry) : route?.retry;
    if (retry === undefined || Object.keys(retry).length === 0) return this.viaAction(functionId, data, queue);
    return this.withRetry(functionId, data, { queue, retry });
  }

  private viaAction<D>(functionId: string, data: D, queue: string): Promise<EnqueueReceipt> {
    return this.iii.trigger<D, EnqueueReceipt>({ function_id: functionId, payload: data, action: TriggerAction.Enqueue({ queue }) });
  }

  /**
   * The same request the engine sends its queue provider for `TriggerAction.Enqueue`, plus the
   * job's retries. A provider that does not echo them back ignored them (a real iii engine's
   * queue worker): the job is stored all the same and retried by the queue's settings.
   */
  private async withRetry<D>(functionId: string, data: D, { queue, retry }: { queue: string; retry: QueueRetry }): Promise<EnqueueReceipt> {
    let receipt: DirectReceipt;
    try {
      receipt = await this.iii.trigger<Record<string, unknown>, DirectReceipt>({
        function_id: ENQUEUE_FUNCTION_ID,
        payload: {
          queue,
          function_id: functionId,
          data: data === undefined ? null : data,
          messageReceiptId: randomUUID(),
          ...(retry.maxAttempts !== undefined && { max_attempts: retry.maxAttempts }),
          ...(retry.backoffMs !== undefined && { backoff_ms: retry.backoffMs }),
        },
      });
    } catch (error) {
      // No provider to call directly: the action path gives the engine's own "no queue provider" error.
      if (errorCode(error) === 'function_not_found') return this.viaAction(functionId, data, queue);
      throw error;
    }
    if (receipt.retry === undefined && !this.warnedIgnoredRetry) {
      this.warnedIgnoredRetry = true;
      this.logger.warn(
        `Queue: the engine's queue provider ignores per-job retries; jobs of ${functionId} (and others with retry options) ` +
          `are retried by the settings of queue '${queue}'`,
      );
    }
    return { messageReceiptId: receipt.messageReceiptId };
  }
}

function errorCode(error: unknown): unknown {
  return error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
}
