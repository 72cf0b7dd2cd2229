/** JSON values as they cross the wire, and the checks every decoder of the protocol shares. */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value of an ASCII hex digit (either case) by char code; -1 for any other character. */
export function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/**
 * A hyphenated UUID (8-4-4-4-12 hex digits, either case), the shape of every engine-generated id
 * on the wire. Checked char by char: every invocation id of every frame passes here.
 */
export function isUuid(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (hexDigitValue(code) < 0) return false;
  }
  return true;
}

/** A plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON value held as its compact JSON text, exactly as `JSON.stringify` wrote it. A frame
 * encoder (`encodeFrame`) writes the text into the frame as it is, so a stored value crosses the
 * wire without being parsed and serialised again; anything else that serialises it gets the same
 * JSON (`toJSON` parses the text back).
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): Json {
    return JSON.parse(this.text) as Json;
  }
}
