import { ForbiddenException } from '../http/exceptions';
import type { CanActivate, ExecutionContext, GuardRef } from '../metadata/types';

export type GuardStage = (payload: unknown) => Promise<void>;

/** Turns guard references into instances (classes are built with the controller module's providers). */
export type GuardResolver = (guard: GuardRef) => CanActivate;

/**
 * Runs the guards in order; the first that does not answer `true` stops the call with a
 * `ForbiddenException` (which each adapter maps: 403 for HTTP, refusal for stream joins).
 * A guard may also throw its own exception (e.g. `UnauthorizedException`).
 */
export function buildGuardStage(
  guards: readonly GuardRef[],
  resolve: GuardResolver,
  context: Omit<ExecutionContext, 'payload'>,
): GuardStage | null {
  if (guards.length === 0) return null;
  const instances = guards.map(resolve);
  return async (payload) => {
    const ctx: ExecutionContext = { ...context, payload };
    for (const guard of instances) {
      let allowed = guard.canActivate(ctx);
      if (allowed instanceof Promise) allowed = await allowed;
      if (allowed !== true) throw new ForbiddenException('Forbidden resource');
    }
  };
}
