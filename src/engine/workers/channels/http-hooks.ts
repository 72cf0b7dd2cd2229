/**
 * The data-channel side of `iii-http` (engine.md §9.2, §9.3): every routed request gets a
 * `request_body` channel (the engine writes the raw body into it) and a `response` channel (the
 * engine reads it). Plain buffered handlers never touch them: two registry records per request
 * and no socket. The streaming reply itself lives in response-stream.ts.
 */
import type { ServerResponse } from 'node:http';
import type { EngineLogger } from '../../core/types';
import type { HttpChannelHooks, HttpRequestChannels } from '../../core/services';
import type { Channel } from './channel';
import { DEFAULT_CAPACITY, type ChannelRegistry } from './registry';
import { streamResponse, type StreamResponseOptions } from './response-stream';

/** Request bodies go into the channel in frames of this size (the SDK writer's frame size). */
const BODY_FRAME_BYTES = 64 * 1024;

export interface HttpChannelOptions extends StreamResponseOptions {
  /** Items per channel (default 64, like `engine::channels::create`). */
  capacity?: number;
}

/**
 * Writes `body` into the channel in frames, waiting whenever the queue is full, then ends it.
 * Stops early when the reader goes away (the handler stopped reading, or the request is over).
 */
export function feedBody(channel: Channel, body: Buffer): void {
  if (body.length === 0) {
    // Most requests (every GET): nothing to feed, so no wake-up closure either.
    channel.claimWriter();
    channel.endWrite();
    return;
  }
  let offset = 0;
  const next = (): void => {
    while (offset < body.length) {
      if (channel.readerGone) {
        channel.endWrite();
        return;
      }
      if (channel.full) return; // resumed by the writer wake-up
      const end = Math.min(offset + BODY_FRAME_BYTES, body.length);
      channel.write({ kind: 'binary', data: body.subarray(offset, end) });
      offset = end;
    }
    channel.setWriterWake(null);
    channel.endWrite();
  };
  channel.claimWriter(next);
  next();
}

class RequestChannels implements HttpRequestChannels {
  readonly refs: HttpRequestChannels['refs'];

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly requestBody: Channel,
    private readonly response: Channel,
    private readonly options: StreamResponseOptions,
  ) {
    this.refs = { request_body: requestBody.ref('read'), response: response.ref('write') };
  }

  respond(result: Promise<unknown>, res: ServerResponse): ReturnType<HttpRequestChannels['respond']> {
    return streamResponse(this.response, result, res, this.options);
  }

  close(): void {
    this.registry.remove(this.requestBody);
    this.registry.remove(this.response);
  }
}

/** The hooks `startEngine` hands to the `iii-http` worker. */
export function createHttpChannelHooks(
  registry: ChannelRegistry,
  logger: EngineLogger,
  options: HttpChannelOptions = {},
): HttpChannelHooks {
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const streamOptions: StreamResponseOptions = { logger, absentResultGraceMs: options.absentResultGraceMs };
  return {
    open: (rawBody: Buffer): HttpRequestChannels => {
      const requestBody = registry.create(capacity);
      const response = registry.create(capacity);
      response.claimReader();
      feedBody(requestBody, rawBody);
      return new RequestChannels(registry, requestBody, response, streamOptions);
    },
  };
}
