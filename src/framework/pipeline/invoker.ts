import type { FilterStage } from './filters';
import type { GuardStage } from './guards';
import type { InterceptorStage } from './interceptors';
import type { PipeChain } from './pipes';
import type { ExecutionContext } from './types';

/** One method parameter: where its value comes from and the pipes (validation included) it goes through. */
export interface ParamStage {
  readonly extract: (payload: unknown, context: ExecutionContext) => unknown;
  readonly pipes: PipeChain | null;
  /** True when `extract` reads the context (custom parameter decorators). */
  readonly contextual: boolean;
}

/** Everything one trigger's invoker needs, resolved at bootstrap. Absent stages are `null` and cost nothing. */
export interface InvokerParts {
  readonly target: object;
  readonly method: (...args: unknown[]) => unknown;
  /** The call's static context; the payload is added per call, only when some stage reads it. */
  readonly context: Omit<ExecutionContext, 'payload'>;
  readonly params: readonly ParamStage[];
  readonly filter: ((payload: unknown) => boolean) | null;
  readonly skipped: unknown;
  readonly guards: GuardStage | null;
  readonly interceptors: InterceptorStage | null;
  readonly filters: FilterStage | null;
  readonly publish: ((result: unknown, payload: unknown) => Promise<void>) | null;
  readonly reply: (result: unknown) => unknown;
  readonly fail: (error: unknown) => unknown;
}

export type Invoker = (payload: unknown, metadata?: unknown) => Promise<unknown>;

/**
 * The per-call path, in NestJS's order: filter → guards → interceptors (before) → pipes → method →
 * interceptors (after) → publish → reply; an exception anywhere goes to the exception filters, then
 * to the trigger's default handling. No reflection; awaits only what returned a promise.
 */
export function buildInvoker(parts: InvokerParts): Invoker {
  const { target, method, params, filter, skipped, guards, interceptors, filters, publish, reply, fail } = parts;
  const count = params.length;
  const needsContext = guards !== null || interceptors !== null || filters !== null || params.some((p) => p.contextual);
  const staticContext = parts.context;

  const handle = async (payload: unknown, context: ExecutionContext): Promise<unknown> => {
    const args: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const stage = params[i] as ParamStage;
      const value = stage.extract(payload, context);
      args[i] = stage.pipes === null ? value : await stage.pipes(value);
    }
    const result = method.apply(target, args);
    return isThenable(result) ? await result : result;
  };

  return async (payload) => {
    if (filter !== null && !filter(payload)) return skipped;
    const context = (needsContext ? { ...staticContext, payload } : undefined) as ExecutionContext;
    try {
      if (guards !== null) await guards(context);
      const result = interceptors === null ? await handle(payload, context) : await interceptors(context, () => handle(payload, context));
      if (publish !== null) await publish(result, payload);
      return reply(result);
    } catch (error) {
      if (filters === null) return fail(error);
      try {
        return reply(await filters(error, context));
      } catch (unhandled) {
        return fail(unhandled);
      }
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
