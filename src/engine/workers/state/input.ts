/**
 * Typed readers for the `state::*` inputs, through the engine's shared input field readers
 * (`engine/lib/input-fields`): unknown keys are ignored, a wrong or missing field is a
 * `deserialization_error`.
 */
import type { Json } from '../../core/types';
import { deserializationError, hasField, readFields, readInput, requiredString, type InputShape } from '../../lib/input-fields';
import { parseUpdateOps, type UpdateOp } from '../../lib/update-ops';

export { deserializationError, readEmptyInput } from '../../lib/input-fields';

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

const KEY_INPUT: InputShape<KeyInput> = { scope: requiredString, key: requiredString };

export function readKeyInput(functionId: string, data: unknown): KeyInput {
  return readInput(functionId, data, KEY_INPUT);
}

/** `value` is required but may be null; `data` is accepted as its alias. */
export function readSetInput(functionId: string, data: unknown): SetInput {
  const { scope, key } = readKeyInput(functionId, data);
  const fields = readFields(functionId, data);
  const hasValue = hasField(fields, 'value');
  const hasData = hasField(fields, 'data');
  if (hasValue && hasData) throw deserializationError(functionId, 'duplicate field `value`');
  if (!hasValue && !hasData) throw deserializationError(functionId, 'missing field `value`');
  return { scope, key, value: (hasValue ? fields['value'] : fields['data']) as Json };
}

export function readUpdateInput(functionId: string, data: unknown): UpdateInput {
  const { scope, key } = readKeyInput(functionId, data);
  const fields = readFields(functionId, data);
  if (!hasField(fields, 'ops')) throw deserializationError(functionId, 'missing field `ops`');
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

const SCOPE_INPUT: InputShape<{ scope: string }> = { scope: requiredString };

export function readScopeInput(functionId: string, data: unknown): { scope: string } {
  return readInput(functionId, data, SCOPE_INPUT);
}
