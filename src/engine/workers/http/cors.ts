/**
 * CORS for the REST listener (engine.md §9.5). Without a `cors` block everything is allowed (any
 * origin, method and header); with one, only the listed origins get an `allow-origin` and
 * preflights announce only the listed methods. As with tower-http, the server never blocks a
 * request over CORS: it only decides which headers to send, and the browser enforces them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpCorsConfig } from './config';

type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface CorsPolicy {
  /** A CORS preflight: OPTIONS carrying `origin` and `access-control-request-method`. */
  isPreflight(method: string, headers: IncomingHttpHeaders): boolean;
  /** Headers answering a preflight (sent with 204, before any routing). */
  preflightHeaders(headers: IncomingHttpHeaders): HeaderList;
  /** Headers added to every other reply. */
  responseHeaders(headers: IncomingHttpHeaders): HeaderList;
}

const NONE: HeaderList = [];
const PERMISSIVE_RESPONSE: HeaderList = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', '*'],
];

function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
}

/** Any request header is allowed: echo what the browser asks for (`*` does not cover `authorization`). */
function allowHeaders(headers: IncomingHttpHeaders): string {
  const requested = headers['access-control-request-headers'];
  return typeof requested === 'string' && requested.trim() !== '' ? requested : '*';
}

export function createCorsPolicy(config: HttpCorsConfig | null): CorsPolicy {
  const origins = config?.allowedOrigins ?? null;
  const allowedOrigins = origins === null ? null : new Set(origins);
  const methods = config?.allowedMethods == null ? '*' : config.allowedMethods.join(', ');

  const originHeaders = (headers: IncomingHttpHeaders): Array<[string, string]> => {
    if (allowedOrigins === null) return [['access-control-allow-origin', '*']];
    const origin = headers.origin;
    // The answer depends on the origin, so caches must key on it.
    if (origin === undefined || !allowedOrigins.has(origin)) return [['vary', 'origin']];
    return [
      ['access-control-allow-origin', origin],
      ['vary', 'origin'],
    ];
  };

  return {
    isPreflight,
    preflightHeaders: (headers) => [
      ...originHeaders(headers),
      ['access-control-allow-methods', methods],
      ['access-control-allow-headers', allowHeaders(headers)],
    ],
    responseHeaders: (headers) => {
      if (allowedOrigins === null) return PERMISSIVE_RESPONSE;
      if (headers.origin === undefined) return NONE;
      const granted = originHeaders(headers);
      // A refused origin gets nothing that reads as a CORS grant.
      return granted.length === 1 ? granted : [...granted, ['access-control-expose-headers', '*']];
    },
  };
}
