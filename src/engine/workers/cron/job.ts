import type { EngineContext } from '../../core/types';
import type { Clock, TimerHandle } from '../../lib/clock';
import { MAX_TIMER_DELAY_MS } from '../../lib/clock';
import type { CronExpression } from './expression';
import { cronEvent, type CronEvent } from './payload';

export interface CronJobSpec {
  id: string;
  function_id: string;
  expression: CronExpression;
  condition_function_id?: string;
  metadata?: unknown;
}

type JobContext = Pick<EngineContext, 'invoke' | 'logger'>;

/**
 * One registered cron trigger. The loop is the engine's (engine.md §12.2): wait for the next matching second
 * after the last one handled, evaluate the condition, invoke the function and await it, then look
 * for the next second after *now* — so ticks that fall inside a long run are skipped, not queued.
 */
export class CronJob {
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** The last scheduled second we fired (or started after), so one tick never fires twice. */
  private lastScheduledMs: number;

  constructor(
    readonly spec: CronJobSpec,
    private readonly context: JobContext,
    private readonly clock: Clock,
  ) {
    this.lastScheduledMs = clock.now();
  }

  start(): void {
    this.armAfter(this.lastScheduledMs);
  }

  /** Stops future ticks. A run in progress is not interrupted (its invocation finishes or is halted). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private armAfter(afterMs: number): void {
    if (this.stopped) return;
    const next = this.spec.expression.nextAfter(afterMs);
    if (next === undefined) {
      this.context.logger.warn('No upcoming schedule for cron job', { job_id: this.spec.id });
      return;
    }
    this.waitUntil(next);
  }

  private waitUntil(scheduledMs: number): void {
    const delay = Math.min(Math.max(0, scheduledMs - this.clock.now()), MAX_TIMER_DELAY_MS);
    this.timer = this.clock.setTimeout(() => this.onTimer(scheduledMs), delay);
  }

  private onTimer(scheduledMs: number): void {
    this.timer = undefined;
    if (this.stopped) return;
    // Timers may wake a little early (or a long wait was capped): wait out the remainder.
    if (this.clock.now() < scheduledMs) {
      this.waitUntil(scheduledMs);
      return;
    }
    void this.run(scheduledMs).finally(() => {
      this.lastScheduledMs = Math.max(scheduledMs, this.clock.now());
      this.armAfter(this.lastScheduledMs);
    });
  }

  private async run(scheduledMs: number): Promise<void> {
    const event = cronEvent(this.spec.id, scheduledMs, this.clock.now());
    if (!(await this.conditionAllows(event))) return;
    try {
      await this.context.invoke(this.spec.function_id, event, { metadata: this.spec.metadata });
    } catch (err) {
      this.context.logger.error('Cron job execution failed', {
        job_id: this.spec.id,
        function_id: this.spec.function_id,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** The run is skipped when the condition returns exactly `false` or fails. */
  private async conditionAllows(event: CronEvent): Promise<boolean> {
    const conditionId = this.spec.condition_function_id;
    if (conditionId === undefined) return true;
    try {
      return (await this.context.invoke(conditionId, event)) !== false;
    } catch (err) {
      this.context.logger.error('Cron condition function failed; skipping run', {
        job_id: this.spec.id,
        condition_function_id: conditionId,
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  }
}
