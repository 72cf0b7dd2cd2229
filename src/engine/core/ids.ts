import { randomFillSync } from 'node:crypto';
import { hexDigitValue } from '../../protocol/json';

export { isPlainObject, isUuid } from '../../protocol/json';

/**
 * UUIDs whose random bytes are drawn from the CSPRNG at once (as `crypto.randomUUID` does, which
 * draws 128). A draw costs about 5 µs whatever its size up to 16 KB, so 1,024 at a time make it
 * about 6 ns per id instead of 40 (a GET makes five).
 */
const BATCH = 1024;
const randomBytes = Buffer.allocUnsafe(16 * BATCH);
let nextInBatch = BATCH;
/** The text of one UUID is written here, then read out as one flat string. */
const text = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Lowercase hyphenated UUID v4, the shape of every engine-generated id on the wire (channel ids
 * and access keys among them). The same CSPRNG bytes as `crypto.randomUUID`, but the text is
 * written into a buffer and read out once: Node's version concatenates 20 pieces, about 0.5 KB of
 * short-lived strings per id, and a GET makes five of them.
 */
export function newId(): string {
  return idWithPrefix(-1);
}

/**
 * A UUID v4 like `newId`'s whose first 32 bits (its first 8 hex digits) are `prefix` instead of
 * random: a registry can key its entries by that number (a number hashes for free; a fresh
 * 36-character string is hashed on every insert) and read it back from the id. The other 90
 * random bits keep ids unguessable; secrets (access keys) stay fully random `newId`s.
 */
export function newIdWithPrefix(prefix: number): string {
  return idWithPrefix(prefix >>> 0);
}

/** Reads the prefix `newIdWithPrefix` put into an id (NaN when the id does not start with 8 hex digits). */
export function idPrefix(id: string): number {
  if (id.length < 8) return NaN;
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const digit = hexDigitValue(id.charCodeAt(i));
    if (digit < 0) return NaN;
    value = value * 16 + digit;
  }
  return value;
}

/** `prefix` < 0: all random. */
function idWithPrefix(prefix: number): string {
  if (nextInBatch === BATCH) {
    randomFillSync(randomBytes);
    nextInBatch = 0;
  }
  const start = nextInBatch++ * 16;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = randomBytes[start + i] as number;
    if (i < 4 && prefix >= 0) byte = (prefix >>> (24 - 8 * i)) & 0xff;
    if (i === 6)
      byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    text[at++] = HEX[byte >> 4] as number;
    text[at++] = HEX[byte & 0x0f] as number;
  }
  return text.toString('latin1', 0, 36);
}
