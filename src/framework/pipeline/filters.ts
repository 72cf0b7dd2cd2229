import { readCatch } from '../metadata/reflection';
import type { Type } from '../metadata/types';
import type { ExceptionFilter, ExecutionContext } from './types';

export type FilterStage = (exception: unknown, context: ExecutionContext) => Promise<unknown>;

/**
 * `filters` in lookup order (method, then controller, then global; NestJS's order). The first
 * whose `@Catch` types match handles the exception and its return value becomes the result;
 * when none matches, the exception goes on to the trigger's default handling.
 */
export function buildFilterStage(filters: readonly ExceptionFilter[]): FilterStage | null {
  if (filters.length === 0) return null;
  const entries = filters.map((filter) => ({ filter, types: readCatch(filter.constructor) }));
  return async (exception, context) => {
    const entry = entries.find(({ types }) => types.length === 0 || types.some((t) => matches(exception, t)));
    if (entry === undefined) throw exception;
    return entry.filter.catch(exception, context);
  };
}

function matches(exception: unknown, type: Type): boolean {
  return exception instanceof (type as unknown as new () => unknown);
}
