import type { CronEvent } from '../../../protocol/triggers';

export type { CronEvent };

/** The event a cron-triggered function receives (engine.md §12.2), field order as the engine sends it. */
export function cronEvent(jobId: string, scheduledMs: number, actualMs: number): CronEvent {
  return {
    trigger: 'cron',
    job_id: jobId,
    scheduled_time: rfc3339Utc(scheduledMs),
    actual_time: rfc3339Utc(actualMs),
  };
}

/**
 * chrono's `to_rfc3339()` for a UTC time: `+00:00` offset (never `Z`), and fractional seconds only
 * when non-zero. We have millisecond precision, so the fraction has 3 digits when present.
 */
export function rfc3339Utc(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const millis = iso.slice(20, 23);
  const base = iso.slice(0, 19);
  return millis === '000' ? `${base}+00:00` : `${base}.${millis}+00:00`;
}
