import type { Extractor } from '../triggers/adapter';

/** One method parameter: where its value comes from and, for DTO bodies, how it is validated. */
export interface ParamStage {
  readonly extract: Extractor;
  readonly validate: ((value: unknown) => Promise<unknown>) | null;
}

/** Everything one trigger's invoker needs, resolved at bootstrap. Absent stages are `null`. */
export interface InvokerParts {
  readonly target: object;
  readonly method: (...args: unknown[]) => unknown;
  readonly params: readonly ParamStage[];
  readonly filter: ((payload: unknown) => boolean) | null;
  readonly skipped: unknown;
  readonly guard: ((payload: unknown) => Promise<void>) | null;
  readonly publish: ((result: unknown, payload: unknown) => Promise<void>) | null;
  readonly reply: (result: unknown) => unknown;
  readonly fail: (error: unknown) => unknown;
}

export type Invoker = (payload: unknown, metadata?: unknown) => Promise<unknown>;

/**
 * The per-call path: filter → guards → arguments (→ validation) → method → publish → reply. No reflection,
 * no allocation beyond the argument array; awaits only what returned a promise.
 */
export function buildInvoker(parts: InvokerParts): Invoker {
  const { target, method, params, filter, skipped, guard, publish, reply, fail } = parts;
  const count = params.length;
  return async (payload) => {
    if (filter !== null && !filter(payload)) return skipped;
    try {
      if (guard !== null) await guard(payload);
      const args: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const stage = params[i] as ParamStage;
        const value = stage.extract(payload);
        args[i] = stage.validate === null ? value : await stage.validate(value);
      }
      let result = method.apply(target, args);
      if (isThenable(result)) result = await result;
      if (publish !== null) await publish(result, payload);
      return reply(result);
    } catch (error) {
      return fail(error);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
