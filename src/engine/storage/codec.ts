/**
 * How the KV adapters turn values into stored text and back. Both adapters keep values as JSON
 * text, so a caller can never mutate a stored value through a reference it was handed, and the
 * memory adapter behaves exactly like the durable one (same accepted values, same copies).
 */
import { EngineError } from '../core/errors';
import type { Json } from '../core/types';

/** Serialises a value for storage; rejects what JSON cannot carry (undefined, cycles, BigInt). */
export function encodeValue(value: Json): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new EngineError('STORAGE_INVALID_VALUE', `Value is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) {
    throw new EngineError('STORAGE_INVALID_VALUE', `Value is not JSON-serialisable: ${typeof value}`);
  }
  return text;
}

/** Parses stored text (JSON.parse defines `__proto__` keys as plain data, never as prototypes). */
export function decodeValue(text: string): Json {
  return JSON.parse(text) as Json;
}

/** The error every adapter raises once it has been closed. */
export function closedError(): EngineError {
  return new EngineError('STORAGE_CLOSED', 'The engine storage is closed');
}
