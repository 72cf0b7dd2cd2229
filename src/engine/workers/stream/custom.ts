/**
 * Custom stream implementations (engine.md §8.2): a worker that called `createStream(iii, name, impl)` owns
 * `stream::<op>(<name>)`, and the engine sends that stream's operations there instead of to
 * storage. These helpers name those functions and check what they return.
 */
import type { Json } from '../../core/types';
import { EngineError, type EngineErrorCode } from '../../core/errors';
import type { DeleteResult, SetResult } from './types';

export type CustomOperation = 'get' | 'set' | 'delete' | 'list' | 'list_groups' | 'update';

/** `stream::set(<name>)`: literal parentheses around the stream name. */
export function customFunctionId(operation: CustomOperation, streamName: string): string {
  return `stream::${operation}(${streamName})`;
}

/** The reference engine reports a result of the wrong shape as `JSON_ERROR`. */
function jsonError(reason: string): EngineError {
  return new EngineError('JSON_ERROR', `Failed to convert result to value: ${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A missing key and an explicit `null` both mean "no previous value". */
function optionalValue(record: Record<string, unknown>, name: string): Json {
  const value = record[name];
  return value === undefined ? null : (value as Json);
}

/**
 * Checks a custom `set`/`update` result: an object with `new_value` and optional `old_value`
 * (and, for update, optional `errors`). `failureCode` covers the "no result" case.
 */
export function readWriteResult(result: unknown, failureCode: EngineErrorCode, verb: string): SetResult & { errors?: readonly unknown[] } {
  if (result === undefined) {
    throw new EngineError(failureCode, `Failed to ${verb} value: Function returned no result`);
  }
  if (!isRecord(result)) throw jsonError('invalid type, expected struct with `new_value`');
  if (!Object.prototype.hasOwnProperty.call(result, 'new_value') || result.new_value === undefined) {
    throw jsonError('missing field `new_value`');
  }
  const checked: SetResult & { errors?: readonly unknown[] } = {
    old_value: optionalValue(result, 'old_value'),
    new_value: result.new_value as Json,
  };
  if (Array.isArray(result.errors) && result.errors.length > 0) checked.errors = result.errors;
  return checked;
}

/** Checks a custom `delete` result: an object with an optional `old_value`. */
export function readDeleteResult(result: unknown): DeleteResult {
  if (result === undefined) {
    throw new EngineError('STREAM_DELETE_ERROR', 'Failed to delete value: Function returned no result');
  }
  if (!isRecord(result)) throw jsonError('invalid type, expected struct with `old_value`');
  return { old_value: optionalValue(result, 'old_value') };
}

/** Wraps a failed custom write call the way the reference engine does (code of the operation). */
export function customCallError(err: unknown, failureCode: EngineErrorCode, verb: string): EngineError {
  const detail = err instanceof EngineError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  return new EngineError(failureCode, `Failed to ${verb} value: Failed to invoke function: ${detail}`);
}
