/**
 * Named services one built-in worker provides and others use, through the kernel
 * (`EngineContext.provide` / `use`): workers never import each other. A worker table entry names
 * what it `provides` and `needs`, and the kernel starts providers first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FunctionHandler } from './types';

/** Every service by name, with its type. */
export interface EngineServices {
  'http-channels': HttpChannelHooks;
  'external-functions': ExternalFunctionHost;
  'stream-subscribers': StreamSubscriberView;
}

/** Who is subscribed to what on the stream socket, for diagnostics (the dev console). */
export interface StreamSubscriberView {
  /** Every stream group with at least one subscription, and how many it has. */
  groups(): Array<{ stream: string; group: string; subscribers: number }>;
}

export type ServiceName = keyof EngineServices;

/**
 * Handles a WebSocket upgrade on a worker-manager listener for a path other than `/` and `/otel`
 * (e.g. `/ws/channels/{id}`). Returns true when it took the request; false lets the next handler
 * (or the 404 answer) have it.
 */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

/**
 * Service `external-functions`: runs functions a worker registered with an `invocation` block
 * (engine.md §11) — the engine performs the HTTP call itself. Provided by `iii-http-functions`; without
 * it such registrations are dropped.
 */
export interface ExternalFunctionHost {
  /**
   * Validates the block (URL policy incl. DNS, auth secrets from the environment) and builds the
   * handler; rejects with an `EngineError` when the function must not be registered.
   */
  createHandler(functionId: string, invocation: Record<string, unknown>): Promise<FunctionHandler>;
}

/** A channel reference as the SDK recognises it (engine.md §10). */
export interface HttpChannelRef {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

/**
 * Service `http-channels`: data channels for `iii-http`, provided by the channels worker; `iii-http`
 * runs buffered-only without it. When present, the
 * request pipeline, for each routed request:
 *  1. calls `open(rawBody)` after middleware/condition, adds `refs` to the payload as
 *     `request_body` / `response` (the condition input must not carry them),
 *  2. hands the function's result promise to `respond`, which races the response channel against
 *     it (engine.md §9.3) and either resolves a buffered result to map with the usual rules
 *     (`{ kind: 'result' }`) or writes a streamed reply to `res` itself (`{ kind: 'streamed' }`),
 *  3. calls `close()` once the request is over, whatever happened.
 */
export interface HttpChannelHooks {
  /** Synchronous: it runs on every routed request, and a promise would only cost a hop. */
  open(rawBody: Buffer): HttpRequestChannels;
}

export interface HttpRequestChannels {
  readonly refs: { request_body: HttpChannelRef; response: HttpChannelRef };
  respond(result: Promise<unknown>, res: ServerResponse): Promise<{ kind: 'result'; value: unknown } | { kind: 'streamed' }>;
  close(): void;
}
