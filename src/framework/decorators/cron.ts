import type { CronTriggerMeta } from '../metadata/types';
import { invalid, requireNonEmptyString } from './checks';
import { functionIdOption, triggerDecorator } from './trigger';

export interface CronOptions {
  functionId?: string;
}

/**
 * Runs the method on a schedule: trigger type `cron`. The iii grammar has seconds first and 6 or 7
 * fields (`sec min hour day-of-month month day-of-week [year]`); 5-field crontab lines are refused
 * here rather than by the engine at registration.
 */
export function Cron(expression: string, options?: CronOptions): MethodDecorator {
  const name = `@Cron('${String(expression)}')`;
  requireNonEmptyString(name, 'expression', expression);
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) {
    throw invalid(name, `expression needs 6 or 7 fields with seconds first (got ${fields.length})`);
  }
  if (fields.some((f) => !/^[A-Za-z0-9*/,?#LW-]+$/.test(f))) {
    throw invalid(name, 'expression contains characters outside the cron grammar');
  }
  const functionId = functionIdOption(name, options);
  return triggerDecorator(name, (method): CronTriggerMeta => ({
    kind: 'cron',
    method,
    expression: fields.join(' '),
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
