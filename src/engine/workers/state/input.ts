/**
 * Typed readers for the `state::*` inputs. Like the reference engine's serde structs they ignore
 * unknown keys (e.g. the injected `_caller_worker_id`) and fail a wrong or missing field with
 * `deserialization_error` — `Failed to deserialize input for <id>: <reason>`.
 */
import { EngineError } from '../../core/errors';
import type { Json } from '../../core/types';
import { parseUpdateOps, type UpdateOp } from '../../lib/update-ops';

export interface KeyInput {
  scope: string;
  key: string;
}

export interface SetInput extends KeyInput {
  value: Json;
}

export interface UpdateInput extends KeyInput {
  ops: UpdateOp[];
}

export function readKeyInput(functionId: string, data: unknown): KeyInput {
  const fields = asFields(functionId, data);
  return { scope: readString(functionId, fields, 'scope'), key: readString(functionId, fields, 'key') };
}

/** `value` is required but may be null; `data` is accepted as its alias. */
export function readSetInput(functionId: string, data: unknown): SetInput {
  const fields = asFields(functionId, data);
  const scope = readString(functionId, fields, 'scope');
  const key = readString(functionId, fields, 'key');
  const hasValue = fields['value'] !== undefined;
  const hasData = fields['data'] !== undefined;
  if (hasValue && hasData) throw deserializationError(functionId, 'duplicate field `value`');
  if (!hasValue && !hasData) throw deserializationError(functionId, 'missing field `value`');
  return { scope, key, value: (hasValue ? fields['value'] : fields['data']) as Json };
}

export function readUpdateInput(functionId: string, data: unknown): UpdateInput {
  const fields = asFields(functionId, data);
  const scope = readString(functionId, fields, 'scope');
  const key = readString(functionId, fields, 'key');
  if (fields['ops'] === undefined) throw deserializationError(functionId, 'missing field `ops`');
  return { scope, key, ops: parseUpdateOps(fields['ops'], functionId) };
}

/**
 * The optional `idempotency_key` of a write (our extension; other engines ignore the field): a
 * non-empty string of at most 512 characters, anything else is refused.
 */
export function readIdempotencyKey(data: unknown): string | undefined {
  const value = (data as Record<string, unknown>)['idempotency_key'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 512) {
    throw deserializationError('state', '`idempotency_key` must be a non-empty string of at most 512 characters');
  }
  return value;
}

export function readScopeInput(functionId: string, data: unknown): { scope: string } {
  return { scope: readString(functionId, asFields(functionId, data), 'scope') };
}

/** `state::list_groups` takes no fields; any object (or nothing at all) is fine. */
export function readEmptyInput(functionId: string, data: unknown): void {
  if (data === undefined || data === null) return;
  asFields(functionId, data);
}

export function deserializationError(functionId: string, reason: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input for ${functionId}: ${reason}`);
}

function asFields(functionId: string, data: unknown): Record<string, unknown> {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Record<string, unknown>;
  throw deserializationError(functionId, `invalid type: ${describe(data)}, expected a map`);
}

function readString(functionId: string, fields: Record<string, unknown>, name: string): string {
  const value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
  if (value === undefined) throw deserializationError(functionId, `missing field \`${name}\``);
  if (typeof value !== 'string') {
    throw deserializationError(functionId, `invalid type: ${describe(value)}, expected a string (field \`${name}\`)`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === 'object') return 'map';
  return `${typeof value} \`${String(value)}\``;
}
