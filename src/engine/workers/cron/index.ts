import type { EngineContext, EngineWorker, TriggerRecord, WorkerFactory } from '../../core/types';
import type { Clock } from '../../lib/clock';
import { CronExpression } from './expression';
import { CronJob } from './job';

/**
 * `iii-cron` (engine.md §12.2): trigger type `cron` with config `{expression, condition_function_id?}`.
 * Jobs run in this process only (the reference `kv` adapter's lock is process-local too, so a
 * single embedded engine needs none). Unlike the reference engine, registering an id that already
 * has a job replaces the job: the SDK replays registrations with the same ids after reconnecting.
 */
/** Runs on the engine's clock (`ctx.clock`): the system one, or a test's fake one. */
export const createCronWorker: WorkerFactory = () => new CronWorker();

export const CRON_TRIGGER_TYPE = 'cron';

export class CronWorker implements EngineWorker {
  readonly name = 'iii-cron';
  private readonly jobs = new Map<string, CronJob>();
  private context: EngineContext | undefined;

  /** `clock` overrides the engine's (unit tests); by default the worker uses `ctx.clock`. */
  constructor(private clock?: Clock) {}

  async start(context: EngineContext): Promise<void> {
    this.context = context;
    this.clock ??= context.clock;
    context.registerTriggerType({
      id: CRON_TRIGGER_TYPE,
      description: 'Invoke a function on a cron schedule (6 or 7 fields, seconds first, UTC)',
      provider: {
        register: (trigger) => this.register(trigger),
        unregister: (trigger) => this.unregister(trigger.id),
      },
    });
  }

  /** Stops every job; runs in progress are left to finish (their invocations end with the engine). */
  async stop(): Promise<void> {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
    this.context = undefined;
  }

  private register(trigger: TriggerRecord): void {
    const context = this.context;
    if (context === undefined) throw new Error('iii-cron is not running');
    const config = asRecord(trigger.config);
    // A registration replaces any job of the same id, even when it then fails: the registry
    // treats the id as re-bound, so keeping the old job would leave it firing unseen.
    this.unregister(trigger.id);
    const expression = CronExpression.parse(config.expression);
    const conditionId = config.condition_function_id;
    const job = new CronJob(
      {
        id: trigger.id,
        function_id: trigger.function_id,
        expression,
        condition_function_id: typeof conditionId === 'string' && conditionId !== '' ? conditionId : undefined,
        metadata: trigger.metadata,
      },
      context,
      this.clock ?? context.clock,
    );
    this.jobs.set(trigger.id, job);
    job.start();
    context.logger.debug('Cron job registered', { job_id: trigger.id, expression: expression.source });
  }

  private unregister(triggerId: string): void {
    const job = this.jobs.get(triggerId);
    if (job === undefined) return;
    job.stop();
    this.jobs.delete(triggerId);
  }
}

function asRecord(config: unknown): Record<string, unknown> {
  return config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
}
