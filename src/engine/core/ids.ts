import { randomFillSync } from 'node:crypto';

export { isPlainObject, isUuid } from '../../protocol/json';

/** UUIDs whose random bytes are drawn from the CSPRNG at once (as `crypto.randomUUID` does). */
const BATCH = 128;
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
  if (nextInBatch === BATCH) {
    randomFillSync(randomBytes);
    nextInBatch = 0;
  }
  const start = nextInBatch++ * 16;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = randomBytes[start + i] as number;
    if (i === 6)
      byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    text[at++] = HEX[byte >> 4] as number;
    text[at++] = HEX[byte & 0x0f] as number;
  }
  return text.toString('latin1', 0, 36);
}
