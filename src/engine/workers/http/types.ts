/**
 * Shapes shared by the `iii-http` files: the function payload (engine.md §9.2), the reply the listener
 * writes, and the seam where data channels (engine.md §9.2 `request_body`/`response`, engine.md §9.3 streaming
 * mode) will plug in.
 */
import type { HttpRequest } from '../../../protocol/triggers';
import type { HttpChannelRef } from '../../core/services';
import type { Json } from '../../core/types';

/** A string-valued record (null prototype when built by this worker: `__proto__` is a plain key). */
export type StringRecord = Record<string, string>;

/** What the route's function receives (engine.md §9.2), channels aside: this engine sends one string per name. */
export interface HttpRequestPayload extends HttpRequest<Json> {
  query_params: StringRecord;
  path_params: StringRecord;
  headers: StringRecord;
  body: Json;
  trigger: { type: 'http'; path: string; method: string };
  /** Channel refs, added for the route's function only (never for its condition). */
  request_body?: HttpChannelRef;
  response?: HttpChannelRef;
}

/** A fully buffered HTTP reply. `body` null ⇒ no body bytes; a string goes out as UTF-8. */
export interface HttpReply {
  readonly status: number;
  /** Lower-cased names with their values in order (a name may repeat). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | Buffer | null;
}

export type { HttpChannelHooks, HttpChannelRef, HttpRequestChannels } from '../../core/services';
