/**
 * An incoming request turned into the function payload of engine.md §9.2 (buffered part; the channel
 * refs `request_body` / `response` belong to the channels seam in types.ts).
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseContentType } from 'content-type';
import type { Json } from '../../core/types';
import type { HttpRequestPayload, StringRecord } from './types';

/** Outcome of reading a request body under the byte limit. */
export type BodyReadResult =
  { readonly kind: 'ok'; readonly bytes: Buffer } | { readonly kind: 'too_large' } | { readonly kind: 'aborted' };

const EMPTY = Buffer.alloc(0);
const NO_BODY: BodyReadResult = Object.freeze({ kind: 'ok', bytes: EMPTY });

/**
 * A request without `content-length` and `transfer-encoding` has no body (RFC 9112 §6.3): there is
 * nothing to wait for (Node discards the unread end of such a request itself).
 */
export function declaresNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

/**
 * Reads the whole body, refusing more than `limit` bytes. A declared `content-length` above the
 * limit is refused before a byte is read; a chunked body is cut off as soon as it crosses it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyReadResult> | BodyReadResult {
  if (declaresNoBody(req)) return NO_BODY;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too_large' });
  if (req.readableEnded) return Promise.resolve({ kind: 'ok', bytes: EMPTY });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (result: BodyReadResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        chunks.length = 0;
        // Stop buffering; the rest of the upload is not wanted (the reply closes the connection).
        req.pause();
        finish({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'ok', bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length) });
    const onAbort = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/** serde_json's recursion limit: the engine reads deeper JSON as invalid (`body: null`). */
export const MAX_JSON_DEPTH = 127;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `text` nests arrays/objects deeper than `max` (one pass, strings skipped). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/**
 * Whether a `content-type` names JSON: media type `application/json` or `application/<x>+json`,
 * with any parameters. Parsed properly (RFC 9110), so `text/plain; charset=application/json`
 * — a browser "simple" request that needs no CORS preflight — is not JSON.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  let type: string;
  try {
    type = parseContentType(contentType).type;
  } catch {
    return false;
  }
  return type === 'application/json' || /^application\/[^/]+\+json$/.test(type);
}

/**
 * The `body` field: parsed JSON for JSON media types (see `isJsonMediaType`); `null` for anything
 * else and for empty, invalid (including invalid UTF-8) or too deeply nested JSON. Never throws.
 */
export function parseJsonBody(contentType: string | undefined, bytes: Buffer): Json {
  if (!isJsonMediaType(contentType)) return null;
  if (bytes.length === 0) return null;
  try {
    const text = utf8.decode(bytes);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return null;
    // JSON.parse defines `__proto__` as an own property, so such keys cannot reach a prototype.
    return JSON.parse(text) as Json;
  } catch {
    return null;
  }
}

/**
 * The prototype of every request record (headers, query and path parameters): an object with no
 * prototype of its own, so no key is inherited and `__proto__` is an ordinary key. The records
 * are not `Object.create(null)` themselves: V8 keeps such objects as hash tables ("dictionary
 * mode"), which `JSON.stringify` walks about twice as slowly as an object with this prototype.
 */
const RECORD_PROTOTYPE: object = Object.create(null) as object;

/** An empty request record (see `RECORD_PROTOTYPE`). */
export function emptyRecord(): StringRecord {
  return Object.create(RECORD_PROTOTYPE) as StringRecord;
}

/** Lower-cased header names, one value each (a repeated header keeps its last value, as the engine does). */
export function collectHeaders(rawHeaders: readonly string[]): StringRecord {
  const headers = emptyRecord();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return headers;
}

/** Percent-decoded query parameters, one string per key (a repeated key keeps its last value). */
export function parseQuery(rawQuery: string): StringRecord {
  const query = emptyRecord();
  if (rawQuery === '') return query;
  for (const [key, value] of new URLSearchParams(rawQuery)) query[key] = value;
  return query;
}

/** The raw path and raw query of a request target (origin-form, or absolute-form from proxies). */
export function splitTarget(target: string): { path: string; query: string } {
  let rest = target;
  if (!rest.startsWith('/')) {
    try {
      const url = new URL(rest);
      rest = url.pathname + url.search;
    } catch {
      return { path: '', query: '' };
    }
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const mark = rest.indexOf('?');
  return mark === -1 ? { path: rest, query: '' } : { path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/** Everything the payload needs, gathered once per request. */
export interface RequestParts {
  readonly method: string;
  readonly apiPath: string;
  readonly pathParams: StringRecord;
  readonly queryParams: StringRecord;
  readonly headers: StringRecord;
  readonly body: Json;
}

/** The function payload of engine.md §9.2 (without channel refs). */
export function buildPayload(parts: RequestParts): HttpRequestPayload {
  return {
    query_params: parts.queryParams,
    path_params: parts.pathParams,
    headers: parts.headers,
    path: parts.apiPath,
    method: parts.method,
    body: parts.body,
    trigger: { type: 'http', path: parts.apiPath, method: parts.method },
  };
}
