/**
 * Checks a worker's WebSocket handshake before any frame is read: a browser page (any `Origin`
 * header) is never a worker, and a listener with secrets wants one in `x-iii-worker-token`. The
 * name of the secret presented is the worker's principal for ownership (replicas of one app share
 * it; a worker holding another secret cannot take their registrations).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { tokenMatches, WORKER_TOKEN_HEADER } from './worker-token';

/** Close code of a refused handshake: 1008 "policy violation". */
export const CLOSE_REFUSED = 1008;

/** The listener's secrets by name (config `auth_token: <secret>` is the secret named `default`). */
export type WorkerSecrets = ReadonlyMap<string, string>;

export type HandshakeOutcome = { refused: string } | { refused?: undefined; principal: string | undefined };

/**
 * What a worker's handshake shows the listener: a WebSocket upgrade's `IncomingMessage`, or the
 * same fields for an in-process connection (the headers its worker gave, no remote address).
 */
export interface HandshakeRequest {
  readonly headers: IncomingHttpHeaders;
  readonly url?: string;
  readonly socket: { readonly remoteAddress?: string };
}

/** Refuses with a close reason, or accepts with the principal the secret names (none without secrets). */
export function checkWorkerHandshake(request: HandshakeRequest, secrets: WorkerSecrets | undefined): HandshakeOutcome {
  if (request.headers.origin !== undefined) return { refused: 'browser origins are not accepted on the worker port' };
  if (secrets === undefined || secrets.size === 0) return { principal: undefined };
  const header = request.headers[WORKER_TOKEN_HEADER];
  const presented = Array.isArray(header) ? header.join(',') : header;
  if (presented === undefined || presented === '') return { refused: `worker token required (${WORKER_TOKEN_HEADER} header)` };
  // Every secret is compared (in constant time each), so timing does not tell which one was close.
  let principal: string | undefined;
  for (const [name, secret] of secrets) if (tokenMatches(presented, secret) && principal === undefined) principal = `token:${name}`;
  return principal === undefined ? { refused: 'invalid worker token' } : { principal };
}
