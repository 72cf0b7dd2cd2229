import type { Logger } from '../logger';
import type { ParamMeta, TriggerMeta } from '../metadata/types';

/** Turns an engine payload into the value of one decorated parameter. */
export type Extractor = (payload: unknown) => unknown;

/**
 * One trigger kind: how it is registered, how its payload becomes arguments, and how the
 * method's result or error becomes what the engine expects back. Built once per trigger.
 */
export interface TriggerAdapter<M extends TriggerMeta = TriggerMeta> {
  readonly kind: M['kind'];
  /** The iii trigger type, or `null` for function-only kinds (fn, queue). */
  readonly triggerType: string | null;
  /** The iii trigger config (`prefix` is the controller's). */
  config(meta: M, prefix: string): Record<string, unknown> | null;
  /** Extractor for one parameter, or `null` when the decorator makes no sense for this kind. */
  argument(param: ParamMeta): Extractor | null;
  /** Payloads this trigger ignores (the engine cannot filter them), or `null`: handle every one. */
  filter(meta: M): ((payload: unknown) => boolean) | null;
  /** The reply for a filtered-out payload. */
  skipped(meta: M): unknown;
  /** result → reply. */
  reply(meta: M): (result: unknown) => unknown;
  /** error → reply, or rethrow (the SDK then reports `invocation_failed`). */
  fail(meta: M, functionId: string, logger: Logger): (error: unknown) => unknown;
}

/** Reads an own property only: `@Param('constructor')` must not find `Object.prototype.constructor`. */
export function ownField(source: unknown, name: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(source, name) ? (source as Record<string, unknown>)[name] : undefined;
}

/** Non-HTTP kinds: `@Body()`, `@Event()` and `@Req()` all mean the payload. */
export function payloadArgument(param: ParamMeta): Extractor | null {
  if (param.kind === 'body' || param.kind === 'event' || param.kind === 'req') {
    return param.name === undefined ? (p) => p : (p) => ownField(p, param.name as string);
  }
  return null;
}

/** Non-HTTP kinds: log and rethrow, so callers see `invocation_failed` with the message. */
export function logAndRethrow(functionId: string, logger: Logger): (error: unknown) => never {
  return (error) => {
    const err = error instanceof Error ? error : new Error(String(error));
    logger.error(`${functionId} failed: ${err.message}`, err.stack);
    throw err;
  };
}

export const identity = (result: unknown): unknown => result;
