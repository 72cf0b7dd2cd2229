import type { ExecutionContext, NestInterceptor } from './types';

export type InterceptorStage = (context: ExecutionContext, handle: () => Promise<unknown>) => Promise<unknown>;

/**
 * Nests the interceptors around `handle` (the pipes and the method): the first (global) is the
 * outermost, so its "before" code runs first and its "after" code last.
 */
export function buildInterceptorStage(interceptors: readonly NestInterceptor[]): InterceptorStage | null {
  if (interceptors.length === 0) return null;
  const count = interceptors.length;
  return (context, handle) => {
    const run = (i: number): Promise<unknown> => {
      if (i === count) return handle();
      const interceptor = interceptors[i] as NestInterceptor;
      try {
        return Promise.resolve(interceptor.intercept(context, { handle: () => run(i + 1) }));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return run(0);
  };
}
