/**
 * Field readers for the built-in functions' inputs (`state::*`, `stream::*`): one table of readers
 * per input, like the worker protocol's frame shapes. Like the reference engine's serde structs
 * they ignore unknown keys (e.g. the injected `_caller_worker_id`) and fail a wrong or missing
 * field with `deserialization_error` — `Failed to deserialize input for <id>: <reason>`.
 */
import { EngineError } from '../core/errors';
import type { Json } from '../core/types';

/** The keys of one input object. */
export type InputFields = Record<string, unknown>;

/** Reads one field of an input; throws `deserialization_error` when it is wrong (or required and absent). */
export type InputFieldReader<V> = (fields: InputFields, name: string, functionId: string) => V;

/** For each field of an input type, the reader that validates it. */
export type InputShape<T> = { readonly [K in keyof T]-?: InputFieldReader<T[K]> };

export function deserializationError(functionId: string, reason: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input for ${functionId}: ${reason}`);
}

/** The input as an object (a map); anything else is refused. */
export function readFields(functionId: string, data: unknown): InputFields {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as InputFields;
  throw deserializationError(functionId, `invalid type: ${describe(data)}, expected a map`);
}

/** Reads every field of `shape` from `data` (a map), in the shape's order. */
export function readInput<T>(functionId: string, data: unknown, shape: InputShape<T>): T {
  const fields = readFields(functionId, data);
  const input: Partial<T> = {};
  for (const name of Object.keys(shape) as Array<keyof T & string>) input[name] = shape[name](fields, name, functionId);
  return input as T;
}

/** An input that takes no fields: any object, or nothing at all. */
export function readEmptyInput(functionId: string, data: unknown): void {
  if (data === undefined || data === null) return;
  readFields(functionId, data);
}

/** Whether the field is present (an own key whose value is not undefined). */
export function hasField(fields: InputFields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name) && fields[name] !== undefined;
}

/** Throws `missing field` when absent; returns the value otherwise. */
function required(fields: InputFields, name: string, functionId: string): unknown {
  if (!hasField(fields, name)) throw deserializationError(functionId, `missing field \`${name}\``);
  return fields[name];
}

function wrongType(functionId: string, name: string, value: unknown, expected: string): EngineError {
  return deserializationError(functionId, `invalid type: ${describe(value)}, expected ${expected} (field \`${name}\`)`);
}

export const requiredString: InputFieldReader<string> = (fields, name, functionId) => {
  const value = required(fields, name, functionId);
  if (typeof value !== 'string') throw wrongType(functionId, name, value, 'a string');
  return value;
};

/** Absent or null reads as null; anything else must be a string. */
export const optionalString: InputFieldReader<string | null> = (fields, name, functionId) =>
  hasField(fields, name) && fields[name] !== null ? requiredString(fields, name, functionId) : null;

/** Inputs arrive parsed from JSON, so a present value is JSON: only its presence is checked (null counts). */
export const requiredJson: InputFieldReader<Json> = (fields, name, functionId) => required(fields, name, functionId) as Json;

/** A required array; its items are checked by whoever reads them. */
export const requiredSequence: InputFieldReader<unknown[]> = (fields, name, functionId) => {
  const value = required(fields, name, functionId);
  if (!Array.isArray(value)) throw wrongType(functionId, name, value, 'a sequence');
  return value;
};

/** How an error names a wrong value, in serde's words (`string "abc"`, `integer \`4\``, `map`). */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === 'object') return 'map';
  return `${typeof value} \`${String(value)}\``;
}
