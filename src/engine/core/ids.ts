import { randomUUID } from 'node:crypto';

export { isPlainObject, isUuid } from '../../protocol/json';

/** Lowercase hyphenated UUID v4, the shape of every engine-generated id on the wire. */
export function newId(): string {
  return randomUUID();
}
