import { ForbiddenException } from '../http/exceptions';
import type { CanActivate, ExecutionContext } from './types';

export type GuardStage = (context: ExecutionContext) => Promise<void>;

/**
 * Runs the guards in order (global, controller, method); the first that does not answer `true`
 * stops the call with a `ForbiddenException` (which each adapter maps: 403 for HTTP, refusal for
 * stream joins). A guard may also throw its own exception (e.g. `UnauthorizedException`).
 */
export function buildGuardStage(guards: readonly CanActivate[]): GuardStage | null {
  if (guards.length === 0) return null;
  return async (context) => {
    for (const guard of guards) {
      let allowed = guard.canActivate(context);
      if (allowed instanceof Promise) allowed = await allowed;
      if (allowed !== true) throw new ForbiddenException('Forbidden resource');
    }
  };
}
