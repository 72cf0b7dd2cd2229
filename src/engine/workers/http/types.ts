/**
 * Shapes shared by the `iii-http` files: the function payload (spec §9.2), the reply the listener
 * writes, and the seam where data channels (spec §9.2 `request_body`/`response`, §9.3 streaming
 * mode) will plug in.
 */
import type { ServerResponse } from 'node:http';
import type { HttpRequest } from '../../../protocol/triggers';
import type { Json } from '../../core/types';

/** A string-valued record (null prototype when built by this worker: `__proto__` is a plain key). */
export type StringRecord = Record<string, string>;

/** What the route's function receives (spec §9.2), channels aside: this engine sends one string per name. */
export interface HttpRequestPayload extends HttpRequest<Json> {
  query_params: StringRecord;
  path_params: StringRecord;
  headers: StringRecord;
  body: Json;
  trigger: { type: 'http'; path: string; method: string };
}

/** A fully buffered HTTP reply. `body` null ⇒ no body bytes. */
export interface HttpReply {
  readonly status: number;
  /** Lower-cased names with their values in order (a name may repeat). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer | null;
}

/** A channel reference as the SDK recognises it (spec §10, pitfall 13). */
export interface HttpChannelRef {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

/**
 * SEAM for data channels, implemented by src/engine/workers/channels (http-hooks.ts) and handed
 * in by `startEngine`; the worker runs buffered-only while no hooks are given. When present, the
 * request pipeline, for each routed request:
 *  1. calls `open(rawBody)` after middleware/condition, adds `refs` to the payload as
 *     `request_body` / `response` (the condition input must not carry them),
 *  2. hands the function's result promise to `respond`, which races the response channel against
 *     it (spec §9.3) and either resolves a buffered result to map with the usual rules
 *     (`{ kind: 'result' }`) or writes a streamed reply to `res` itself (`{ kind: 'streamed' }`),
 *  3. calls `close()` once the request is over, whatever happened.
 */
export interface HttpChannelHooks {
  open(rawBody: Buffer): Promise<HttpRequestChannels>;
}

export interface HttpRequestChannels {
  readonly refs: { request_body: HttpChannelRef; response: HttpChannelRef };
  respond(result: Promise<unknown>, res: ServerResponse): Promise<{ kind: 'result'; value: unknown } | { kind: 'streamed' }>;
  close(): void;
}
