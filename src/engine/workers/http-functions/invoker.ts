import { createHmac } from 'node:crypto';
import { request as httpRequest, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { EngineError } from '../../core/errors';
import { isPlainObject, newId } from '../../core/ids';
import type { HttpEndpoint } from './invocation';
import type { UrlPolicy } from './url-policy';

/**
 * One call of an HTTP-invoked function (engine.md §11): JSON body, `x-iii-*` headers, configured
 * headers and auth, a timeout, no redirects followed, and the response mapped to a result or a
 * coded error.
 */

/** Responses larger than this are refused rather than buffered (a function result, not a download). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>:<base64(body)>")>`. */
export function signature(secret: string, timestamp: number, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret)
    .update(`${timestamp}:${body.toString('base64')}`)
    .digest('hex')}`;
}

export function requestHeaders(functionId: string, endpoint: HttpEndpoint, body: Buffer, timestamp: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'x-iii-Function-Path': functionId,
    'x-iii-Invocation-ID': newId(),
    'x-iii-Timestamp': String(timestamp),
  };
  for (const [name, value] of Object.entries(endpoint.headers)) headers[name] = value;
  const auth = endpoint.auth;
  if (auth?.type === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
  else if (auth?.type === 'api_key') headers[auth.header] = auth.value;
  else if (auth?.type === 'hmac') headers['x-iii-Signature'] = signature(auth.secret, timestamp, body);
  return headers;
}

interface RawResponse {
  status: number;
  body: Buffer;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** engine.md §11 result mapping. */
export function mapResponse(response: RawResponse): unknown {
  const { status, body } = response;
  if (status >= 200 && status < 300) {
    if (body.length === 0) return undefined;
    const parsed = parseJson(body);
    if (!parsed.ok) throw new EngineError('invalid_response', `response is not JSON: ${parsed.reason}`);
    return parsed.value;
  }
  if (status < 400) {
    const parsed = body.length === 0 ? undefined : parseJson(body);
    return parsed?.ok === true ? parsed.value : undefined;
  }
  const parsed = parseJson(body);
  const error = parsed.ok && isPlainObject(parsed.value) ? parsed.value.error : undefined;
  if (isPlainObject(error)) {
    const message = typeof error.message === 'string' ? error.message : 'HTTP request failed';
    // The function's own error code reaches the caller as it sent it.
    throw typeof error.code === 'string' ? EngineError.passThrough(error.code, message) : new EngineError('http_error', message);
  }
  const reason = STATUS_CODES[status];
  throw new EngineError('http_error', `HTTP ${status}${reason === undefined ? '' : ` ${reason}`}`);
}

function abortReason(signal: AbortSignal): EngineError {
  return signal.reason instanceof EngineError ? signal.reason : new EngineError('http_request_failed', 'request aborted');
}

function readBody(response: IncomingMessage, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        response.destroy(new EngineError('http_response_failed', `response larger than ${MAX_RESPONSE_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    const fail = (err?: Error): void => {
      if (err instanceof EngineError) reject(err);
      else if (signal.aborted) reject(abortReason(signal));
      else reject(new EngineError('http_response_failed', err?.message ?? 'response aborted'));
    };
    response.on('error', fail);
    response.on('aborted', () => fail());
  });
}

/** Sends the request; `signal` aborts it (timeout or worker shutdown). */
interface Outgoing {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  signal: AbortSignal;
  lookup?: LookupFunction;
}

function send(outgoing: Outgoing): Promise<RawResponse> {
  const { url, body, signal } = outgoing;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options = {
    method: outgoing.method,
    headers: outgoing.headers,
    signal,
    ...(outgoing.lookup !== undefined && { lookup: outgoing.lookup }),
  };
  return new Promise((resolve, reject) => {
    const req = request(url, options, (response) => {
      readBody(response, signal).then((bytes) => resolve({ status: response.statusCode ?? 0, body: bytes }), reject);
    });
    req.on('error', (err) => {
      if (err instanceof EngineError) reject(err);
      else if (signal.aborted) reject(abortReason(signal));
      else reject(new EngineError('http_request_failed', `${err.message}${'code' in err ? ` (${String(err.code)})` : ''}`));
    });
    req.end(body);
  });
}

/** Performs HTTP calls for the worker; `close()` aborts the ones in flight. */
export class HttpInvoker {
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly policy: UrlPolicy) {}

  async invoke(functionId: string, endpoint: HttpEndpoint, data: unknown): Promise<unknown> {
    const url = await this.policy.check(endpoint.url);
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify(data === undefined ? null : data), 'utf8');
    } catch (err) {
      throw new EngineError('serialization_error', (err as Error).message);
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new EngineError('http_request_failed', `request timed out after ${endpoint.timeoutMs}ms`)),
      endpoint.timeoutMs,
    );
    this.inFlight.add(controller);
    try {
      const response = await send({
        url,
        method: endpoint.method,
        headers: requestHeaders(functionId, endpoint, body, timestamp),
        body,
        signal: controller.signal,
        lookup: this.policy.connectLookup(),
      });
      return mapResponse(response);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  close(): void {
    for (const controller of this.inFlight) controller.abort(new EngineError('http_request_failed', 'engine is shutting down'));
    this.inFlight.clear();
  }
}
