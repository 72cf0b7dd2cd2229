/**
 * Function results, middleware responses and engine errors turned into HTTP replies (engine.md §9.3,
 * engine.md §9.4, §9.5), and the one place replies are written to the socket.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { HttpErrorBody } from '../../../protocol/errors';
import { EngineError } from '../../core/errors';
import { isValidHeader } from '../../lib/http-headers';
import type { HttpReply } from './types';

const JSON_TYPE = 'application/json';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Status codes a handler may choose: informational codes (1xx) cannot end an exchange, and Node
 * refuses anything outside 100..999; everything else falls back to 200 like an invalid code does.
 */
function statusOr200(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 200 && value <= 999 ? value : 200;
}

type HeaderPairs = ReadonlyArray<readonly [string, string]>;

const NO_HEADERS: HeaderPairs = [];
/** The headers of a result that set none (most): shared, never modified. */
const JSON_ONLY: HeaderPairs = [['content-type', JSON_TYPE]];

function pushHeader(pairs: Array<[string, string]>, name: string, value: string): void {
  const trimmedName = name.trim();
  if (trimmedName !== '' && isValidHeader(trimmedName, value)) pairs.push([trimmedName.toLowerCase(), value]);
}

/** `{name: value}` or `["Name: value", …]`; entries that are not strings or not valid headers are skipped. */
function parseHeaders(raw: unknown): HeaderPairs {
  if (raw === undefined || raw === null) return NO_HEADERS;
  const pairs: Array<[string, string]> = [];
  if (Array.isArray(raw)) {
    for (const line of raw) {
      if (typeof line !== 'string') continue;
      const colon = line.indexOf(':');
      if (colon > 0) pushHeader(pairs, line.slice(0, colon), line.slice(colon + 1).trim());
    }
  } else if (isRecord(raw)) {
    for (const [name, value] of Object.entries(raw)) if (typeof value === 'string') pushHeader(pairs, name, value);
  }
  return pairs;
}

function headerValue(headers: HeaderPairs, name: string): string | undefined {
  for (const [key, value] of headers) if (key === name) return value;
  return undefined;
}

/** `headers` with a JSON content-type added. */
function withJsonType(headers: HeaderPairs): HeaderPairs {
  return headers.length === 0 ? JSON_ONLY : [...headers, ['content-type', JSON_TYPE]];
}

/**
 * JSON text of `body` (`null` for values JSON cannot express). Kept a string: `sendReply` hands it
 * to Node with the head, which then goes out as one string write instead of a head + Buffer writev.
 */
function jsonText(body: unknown): string {
  const text = JSON.stringify(body);
  // `undefined`, functions and symbols have no JSON form; the engine would have sent `null`.
  return text === undefined ? 'null' : text;
}

/**
 * Buffered mode of engine.md §9.3. A result that is not an object behaves like `{}` (200, `{}`).
 *
 * Deliberate deviation: an absent result (`undefined` or `null`) answers 204 with no body. The real
 * engine then waits for the response channel and, when the handler never streams, hangs until
 * `default_timeout` (504). With channels, the response race (channels/response-stream.ts) only
 * hands an absent result here once the handler's response writer failed to connect within a short
 * grace period, so a prompt 204 stays the useful answer.
 */
export function replyFromResult(result: unknown): HttpReply {
  if (result === undefined || result === null) return { status: 204, headers: NO_HEADERS, body: null };
  const record = isRecord(result) ? result : {};
  const headers = parseHeaders(record.headers);
  const body = record.body === undefined ? {} : record.body;
  const contentType = headerValue(headers, 'content-type');
  const status = statusOr200(record.status_code);

  if (contentType !== undefined) {
    if (typeof body === 'string') return { status, headers, body };
    if (body === null) return { status, headers, body: null };
    return { status, headers, body: jsonText(body) };
  }
  return { status, headers: withJsonType(headers), body: jsonText(body) };
}

/**
 * The `respond` action of a middleware (engine.md §9.4): status (default 200), JSON body (default
 * `null`), extra headers. The body is always JSON, whatever content-type the headers claim.
 */
export function replyFromMiddleware(response: unknown): HttpReply {
  const record = isRecord(response) ? response : {};
  const headers = parseHeaders(isRecord(record.headers) ? record.headers : undefined);
  const withType = headerValue(headers, 'content-type') === undefined ? withJsonType(headers) : headers;
  return { status: statusOr200(record.status_code), headers: withType, body: jsonText(record.body === undefined ? null : record.body) };
}

/** An engine error envelope `{"error":{code,message[,error_id]}}` (error ids only on 5xx). */
export function errorReply(status: number, code: string, message: string, errorId?: string, extra?: Record<string, unknown>): HttpReply {
  const error: Record<string, string> = { code, message };
  if (errorId !== undefined) error.error_id = errorId;
  return { status, headers: JSON_ONLY, body: jsonText({ error, ...extra }) };
}

/**
 * The engine's own refusals (404, 405, 413, 415, 431, 503) in the one error shape the framework's
 * exceptions use too: `{ statusCode, error, message }` (`error` is the status text).
 */
export function statusReply(status: number, message: string, headers: ReadonlyArray<readonly [string, string]> = []): HttpReply {
  const body: HttpErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  return { status, headers: withJsonType(headers), body: jsonText(body) };
}

/** An empty-bodied reply (405, 504 on whole-request timeout, preflight 204). */
export function emptyReply(status: number, headers: ReadonlyArray<readonly [string, string]> = []): HttpReply {
  return { status, headers, body: null };
}

/** Lowercase hex of the low 48 bits of the current time in ns, as the engine's error ids. */
export function generateErrorId(): string {
  const nanos = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  return (nanos & 0xffffffffffffn).toString(16);
}

/** A failed invocation as a 500 error envelope; non-engine errors hide their message. */
export function failureReply(err: unknown, errorId: string): HttpReply {
  if (err instanceof EngineError) return errorReply(500, err.code, err.message, errorId);
  return errorReply(500, 'INTERNAL_ERROR', 'internal server error', errorId);
}

/** Framing is ours to decide: a handler's own values could desynchronise the connection. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);

/**
 * Writes a reply once. `content-length` is always set (keep-alive needs it); Node itself drops the
 * body bytes of HEAD, 204 and 304 replies. `extra` carries listener-wide headers such as CORS.
 * The head goes through one `writeHead` with a flat name/value list (no per-header `setHeader`
 * bookkeeping); headers set on `res` before (a streamed reply's CORS) are still merged by Node.
 */
export function sendReply(res: ServerResponse, reply: HttpReply, extra: ReadonlyArray<readonly [string, string]>): void {
  if (res.headersSent || res.destroyed) return;
  // Reply headers first (a name may repeat); listener-wide headers only where the reply set none.
  const flat: string[] = [];
  for (const [name, value] of reply.headers) if (!FRAMING_HEADERS.has(name)) flat.push(name, value);
  for (const [name, value] of extra) if (!reply.headers.some(([given]) => given === name)) flat.push(name, value);
  const noBody = reply.status === 204 || reply.status === 304;
  if (!noBody) flat.push('content-length', String(bodyLength(reply.body)));
  res.writeHead(reply.status, flat);
  if (reply.body === null || noBody) res.end();
  else res.end(reply.body);
}

function bodyLength(body: string | Buffer | null): number {
  if (body === null) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}
