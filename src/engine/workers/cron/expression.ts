import { Cron } from 'croner';

/**
 * Cron expressions in the grammar of the Rust `cron` crate 0.15 used by the reference engine:
 * `sec min hour day-of-month month day-of-week [year]` (6 or 7 fields, seconds first; 5-field
 * crontab strings are rejected). Parsing and "next time" come from croner, configured to match:
 * - `6-or-7-parts`: seconds are mandatory, the optional 7th field is the year;
 * - `alternativeWeekdays`: numeric days of week are 1-7 with Sunday = 1, as in the crate;
 * - `domAndDow`: a day must match both day-of-month and day-of-week, as in the crate;
 * - UTC, like the engine's `upcoming(Utc)`.
 * croner accepts a few extensions the crate does not (`L`, `W`, `#`); we leave them in.
 */
export class CronExpression {
  private constructor(
    readonly source: string,
    private readonly pattern: Cron,
  ) {}

  /** Throws `Error` with the engine's messages (engine.md §12.2); the registry turns it into `trigger_registration_failed`. */
  static parse(expression: unknown): CronExpression {
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw new Error('Cron expression is required');
    }
    try {
      const pattern = new Cron(expression.trim(), {
        mode: '6-or-7-parts',
        alternativeWeekdays: true,
        domAndDow: true,
        timezone: 'UTC',
        paused: true,
      });
      return new CronExpression(expression, pattern);
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).replace(/^CronPattern:\s*/, '');
      throw new Error(`Invalid cron expression '${expression}': ${reason}`, { cause: err });
    }
  }

  /** The first matching whole second strictly after `afterMs`, or `undefined` when there is none. */
  nextAfter(afterMs: number): number | undefined {
    const next = this.pattern.nextRun(new Date(afterMs));
    return next === null ? undefined : next.getTime();
  }
}
