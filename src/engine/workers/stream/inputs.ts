/**
 * Turns raw invocation payloads into typed inputs. Any mismatch is a `deserialization_error`
 * (`Failed to deserialize input for <id>: <reason>`), the code the reference engine uses for a
 * payload serde cannot read. Unknown keys (e.g. the injected `_caller_worker_id`) are ignored.
 */
import type { Json } from '../../core/types';
import { EngineError } from '../../core/errors';
import type { GroupRef, ItemRef, SendInput, SetInput, UpdateInput } from './types';

type Fields = Record<string, unknown>;

export function deserializationError(functionId: string, reason: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input for ${functionId}: ${reason}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  return typeof value === 'object' ? 'a map' : `${typeof value} \`${String(value)}\``;
}

function objectOf(data: unknown, functionId: string): Fields {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw deserializationError(functionId, `invalid type: ${describe(data)}, expected a map`);
  }
  return data as Fields;
}

function has(fields: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name) && fields[name] !== undefined;
}

function requiredString(fields: Fields, name: string, functionId: string): string {
  if (!has(fields, name)) throw deserializationError(functionId, `missing field \`${name}\``);
  const value = fields[name];
  if (typeof value !== 'string') {
    throw deserializationError(functionId, `invalid type for \`${name}\`: ${describe(value)}, expected a string`);
  }
  return value;
}

function optionalString(fields: Fields, name: string, functionId: string): string | null {
  if (!has(fields, name) || fields[name] === null) return null;
  return requiredString(fields, name, functionId);
}

/** Payloads arrive parsed from JSON, so a present value is JSON; only its presence is checked. */
function requiredJson(fields: Fields, name: string, functionId: string): Json {
  if (!has(fields, name)) throw deserializationError(functionId, `missing field \`${name}\``);
  return fields[name] as Json;
}

export function parseGroupRef(data: unknown, functionId: string): GroupRef {
  const fields = objectOf(data, functionId);
  return {
    stream_name: requiredString(fields, 'stream_name', functionId),
    group_id: requiredString(fields, 'group_id', functionId),
  };
}

export function parseItemRef(data: unknown, functionId: string): ItemRef {
  const fields = objectOf(data, functionId);
  return {
    stream_name: requiredString(fields, 'stream_name', functionId),
    group_id: requiredString(fields, 'group_id', functionId),
    item_id: requiredString(fields, 'item_id', functionId),
  };
}

export function parseSetInput(data: unknown, functionId: string): SetInput {
  const fields = objectOf(data, functionId);
  return { ...parseItemRef(fields, functionId), data: requiredJson(fields, 'data', functionId) };
}

/** Only the shape of `ops` (an array) is checked here; the ops themselves by `parseUpdateOps`. */
export function parseUpdateInput(data: unknown, functionId: string): UpdateInput {
  const fields = objectOf(data, functionId);
  const ref = parseItemRef(fields, functionId);
  if (!has(fields, 'ops')) throw deserializationError(functionId, 'missing field `ops`');
  const ops = fields.ops;
  if (!Array.isArray(ops)) {
    throw deserializationError(functionId, `invalid type for \`ops\`: ${describe(ops)}, expected a sequence`);
  }
  return { ...ref, ops };
}

export function parseStreamName(data: unknown, functionId: string): { stream_name: string } {
  return { stream_name: requiredString(objectOf(data, functionId), 'stream_name', functionId) };
}

/** `stream::list_all` takes an empty object; anything that is not a map is refused. */
export function parseEmptyInput(data: unknown, functionId: string): void {
  if (data === undefined || data === null) return;
  objectOf(data, functionId);
}

export function parseSendInput(data: unknown, functionId: string): SendInput {
  const fields = objectOf(data, functionId);
  return {
    ...parseGroupRef(fields, functionId),
    id: optionalString(fields, 'id', functionId),
    type: requiredString(fields, 'type', functionId),
    data: requiredJson(fields, 'data', functionId),
  };
}
