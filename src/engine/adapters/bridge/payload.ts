/**
 * What crosses the bridge. The local engine injected `_caller_worker_id` (the local caller's id)
 * into object payloads; that id means nothing on the remote engine, which injects the bridge's
 * own, so it is dropped before forwarding. Everything else is passed on untouched.
 */

const CALLER_KEY = '_caller_worker_id';

export function forwardPayload(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  if (!Object.prototype.hasOwnProperty.call(data, CALLER_KEY)) return data;
  // Rest destructuring defines own data properties, so a JSON `__proto__` key stays a plain key.
  const { [CALLER_KEY]: _caller, ...rest } = data as Record<string, unknown>;
  return rest;
}

/** An own string field of an object payload, or `undefined`. */
export function stringField(data: unknown, name: string): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(data, name)) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
