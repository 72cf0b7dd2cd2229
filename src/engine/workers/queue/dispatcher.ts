import type { EngineContext } from '../../core/types';
import type { Clock, TimerHandle } from '../../lib/clock';
import { MAX_TIMER_DELAY_MS } from '../../lib/clock';
import { withDeadline } from '../../lib/deadline';
import type { QueueSettings } from './config';
import type { QueueStore, StoredJob } from './store';

type DispatchContext = Pick<EngineContext, 'invoke' | 'logger'>;

/** Counters since start, reported by `engine::queue::topic_stats`. */
export interface DispatchCounters {
  delivered: number;
  failed: number;
}

/**
 * Runs one named queue: claims due jobs up to `concurrency`, invokes each target with the job's
 * `data` (no envelope, no metadata), deletes the row on success, and on failure schedules a retry
 * with exponential backoff or, after `max_retries` attempts, moves the job to the dead-letter list.
 * It wakes on enqueue/redrive (`wake()`), on job completion and on a timer for the next due retry,
 * so an idle queue costs nothing.
 */
export class QueueDispatcher {
  readonly counters: DispatchCounters = { delivered: 0, failed: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private wakeQueued = false;
  private stopping = false;

  constructor(
    readonly settings: QueueSettings,
    private readonly store: QueueStore,
    private readonly context: DispatchContext,
    private readonly clock: Clock,
  ) {}

  get running(): number {
    return this.inFlight.size;
  }

  /** Jobs running or a pump pending (for the engine's `settle()`; jobs waiting on a timer are not due). */
  get busy(): boolean {
    return this.inFlight.size > 0 || this.wakeQueued;
  }

  /** Schedules a pump on the microtask queue, coalescing bursts of enqueues into one pump. */
  wake(): void {
    if (this.wakeQueued || this.stopping) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.pump();
    });
  }

  /**
   * Stops claiming work and waits up to `timeoutMs` for running jobs. Jobs still running after
   * that keep their `running` row and are delivered again after the next start.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    if (this.inFlight.size === 0 || timeoutMs <= 0) return;
    await withDeadline(Promise.allSettled([...this.inFlight]), timeoutMs, () => undefined, this.clock);
  }

  private pump(): void {
    if (this.stopping) return;
    const now = this.clock.now();
    const free = this.settings.concurrency - this.inFlight.size;
    let jobs: StoredJob[] = [];
    try {
      jobs = this.store.claim(this.settings.name, now, free, this.settings.type === 'fifo');
    } catch (err) {
      this.context.logger.error('Queue claim failed', { queue: this.settings.name, error: describe(err) });
    }
    for (const job of jobs) this.launch(job);
    this.armTimer(now);
  }

  private launch(job: StoredJob): void {
    const run: Promise<void> = this.execute(job).finally(() => {
      this.inFlight.delete(run);
      this.pump();
    });
    this.inFlight.add(run);
  }

  private async execute(job: StoredJob): Promise<void> {
    let failure: unknown;
    let ok = false;
    try {
      await this.context.invoke(job.function_id, job.data, {
        traceparent: job.traceparent ?? undefined,
        baggage: job.baggage ?? undefined,
      });
      ok = true;
    } catch (err) {
      failure = err;
    }
    // After shutdown began the database may be closing; the row stays `running` and is recovered.
    if (this.stopping) return;
    try {
      if (ok) {
        this.store.complete(job.id);
        this.counters.delivered += 1;
      } else {
        this.recordFailure(job, describe(failure));
      }
    } catch (err) {
      this.context.logger.error('Queue bookkeeping failed', { queue: job.queue, job_id: job.id, error: describe(err) });
    }
  }

  private recordFailure(job: StoredJob, error: string): void {
    this.counters.failed += 1;
    const now = this.clock.now();
    const maxAttempts = Math.max(1, job.max_attempts ?? this.settings.max_retries);
    if (job.attempts >= maxAttempts) {
      this.store.bury(job.id, now, error);
      this.context.logger.warn('Queue job moved to the dead-letter list', {
        queue: job.queue,
        job_id: job.id,
        function_id: job.function_id,
        attempts: job.attempts,
        error,
      });
      return;
    }
    const delay = backoffDelay(job.backoff_ms ?? this.settings.backoff_ms, job.attempts);
    this.store.retryLater(job.id, now + delay, error);
    this.context.logger.debug('Queue job will be retried', { queue: job.queue, job_id: job.id, delay_ms: delay, error });
  }

  /** Arms (or moves earlier) the timer for the next ready job that is not yet due. */
  private armTimer(now: number): void {
    if (this.inFlight.size >= this.settings.concurrency) return; // completion will pump
    // Due jobs that were not claimed are blocked by a running FIFO group head: its completion pumps.
    const next = this.store.nextDueAfter(this.settings.name, now);
    if (next === undefined) return;
    if (this.timer !== undefined && this.timerAt <= next) return;
    this.clearTimer();
    this.timerAt = next;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.min(next - now, MAX_TIMER_DELAY_MS),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}

/** Retry n (n = attempts made so far, ≥ 1) waits `backoff_ms · 2^(n−1)`, capped to a timer's range. */
export function backoffDelay(backoffMs: number, attempts: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, attempts - 1), MAX_TIMER_DELAY_MS);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
