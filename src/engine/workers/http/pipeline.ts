/**
 * One HTTP request through the REST listener:
 *   concurrency gate → CORS preflight → route (404 / 405) → body (413) → global middleware →
 *   condition (422) → route middleware → function → reply,
 * all under one `default_timeout` deadline (504). Each stage is a short method; the order of
 * middleware and condition is the real engine's (global middleware, condition, route middleware).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineContext, InvocationOptions } from '../../core/types';
import type { HttpWorkerConfig } from './config';
import type { CorsPolicy } from './cors';
import { buildMiddlewareInput, runMiddleware, type MiddlewareInput } from './middleware';
import { buildPayload, collectHeaders, isJsonMediaType, parseJsonBody, parseQuery, readBody, splitTarget } from './request';
import { emptyReply, errorReply, failureReply, generateErrorId, replyFromResult, sendReply, statusReply } from './response';
import { extractPathParams } from './route-spec';
import type { HttpRoute, RouteTable } from './route-table';
import type { HttpChannelHooks, HttpReply, HttpRequestPayload } from './types';

export interface PipelineOptions {
  readonly context: EngineContext;
  readonly routes: RouteTable;
  readonly config: HttpWorkerConfig;
  readonly cors: CorsPolicy;
  /** Data channels (engine.md §9.2/§9.3); absent ⇒ buffered replies only. See types.ts. */
  readonly channels?: HttpChannelHooks;
}

type Stage = 'body' | 'middleware' | 'condition' | 'handler';

/** Per-request bookkeeping: which stage runs (it decides the timeout reply), and its deadline. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  corsHeaders: ReadonlyArray<readonly [string, string]>;
  stage: Stage;
  timer: NodeJS.Timeout | undefined;
  /** Counted out of the requests in flight (once, whatever emits `close`). */
  released: boolean;
}

const CONDITION_NOT_MET = errorReply(422, 'CONDITION_NOT_MET', 'Request condition not met', undefined, { skipped: true });
const MIDDLEWARE_TIMEOUT = errorReply(504, 'MIDDLEWARE_TIMEOUT', 'Middleware timeout');
const NOT_FOUND = statusReply(404, 'No route matches this path');
const OVERLOADED = statusReply(503, 'Too many requests in flight', [['retry-after', '1']]);
/** While the app shuts down: never a 404 from routes already gone, and the client knows to retry. */
const SHUTTING_DOWN = statusReply(503, 'Shutting down; retry shortly', [
  ['retry-after', '1'],
  ['connection', 'close'],
]);
const UNSUPPORTED_MEDIA_TYPE = statusReply(415, 'Request bodies must be JSON (content-type application/json or application/*+json)');
const CLOSE_CONNECTION: readonly [string, string] = ['connection', 'close'];
const NO_HEADERS: ReadonlyArray<readonly [string, string]> = [];
const NO_TRACE: InvocationOptions = Object.freeze({});

export class HttpPipeline {
  private inFlight = 0;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  /** Global middleware ids, resolved once (the config is fixed for the listener's life). */
  private readonly globalMiddleware: readonly string[];

  constructor(private readonly options: PipelineOptions) {
    this.globalMiddleware = options.config.middleware.map((entry) => entry.functionId);
  }

  /** Requests currently being served (tests and diagnostics). */
  get activeRequests(): number {
    return this.inFlight;
  }

  /** The server's request listener (one shared function, no closure per connection). */
  /** Answers every new request 503 (`Retry-After`); resolves once the requests in flight are answered. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.draining) {
      sendReply(res, SHUTTING_DOWN, this.options.cors.responseHeaders(req.headers));
      return;
    }
    if (this.inFlight >= this.options.config.concurrencyLimit) {
      sendReply(res, OVERLOADED, this.options.cors.responseHeaders(req.headers));
      return;
    }
    this.inFlight++;
    const exchange: Exchange = { req, res, corsHeaders: NO_HEADERS, stage: 'body', timer: undefined, released: false };
    // One listener per request: a closed connection (client gone, listener stopped) also ends the
    // deadline while the function is still running, so no timer outlives its request. `on`, not
    // `once`: a response closes once, and `once` would wrap the listener in a bound function.
    res.on('close', () => {
      clearTimeout(exchange.timer);
      if (exchange.released) return;
      exchange.released = true;
      this.release();
    });
    this.serve(exchange).catch((err: unknown) => {
      // Only a bug in this file lands here; the client still gets the engine's internal envelope.
      const errorId = generateErrorId();
      this.options.context.logger.error('http pipeline failed', { error_id: errorId, error: String(err) });
      sendReply(res, errorReply(500, 'INTERNAL_ERROR', 'internal server error', errorId), []);
    });
  };

  private release(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async serve(exchange: Exchange): Promise<void> {
    const { req, res } = exchange;
    const { cors, routes } = this.options;
    const method = (req.method ?? 'GET').toUpperCase();
    const corsHeaders = cors.responseHeaders(req.headers);
    if (cors.isPreflight(method, req.headers)) {
      sendReply(res, emptyReply(204, cors.preflightHeaders(req.headers)), []);
      return;
    }

    const target = splitTarget(req.url ?? '/');
    const route = routes.match(method, target.path);
    if (route === null) {
      const allowed = routes.allowedMethods(target.path);
      const notAllowed = (): HttpReply => statusReply(405, `Method ${method} is not allowed here`, [['allow', allowed.join(', ')]]);
      sendReply(res, allowed.length > 0 ? notAllowed() : NOT_FOUND, corsHeaders);
      return;
    }

    exchange.corsHeaders = corsHeaders;
    exchange.timer = setTimeout(this.onDeadline, this.options.config.defaultTimeoutMs, exchange);
    try {
      const reply = await this.dispatch(exchange, route, method, target.query, target.path);
      if (reply !== null) this.reply(exchange, reply);
    } finally {
      clearTimeout(exchange.timer);
    }
  }

  private readonly onDeadline = (exchange: Exchange): void => {
    // A middleware that overran the request's time gets the engine's named envelope; any other
    // stage gets a bare 504. Work still running is ignored when it finishes.
    this.reply(exchange, exchange.stage === 'middleware' ? MIDDLEWARE_TIMEOUT : emptyReply(504));
  };

  private reply(exchange: Exchange, reply: HttpReply): void {
    sendReply(exchange.res, reply, exchange.corsHeaders);
  }

  /** Runs the stages; resolves the reply to send, or null when nothing more must be sent. */
  private async dispatch(
    exchange: Exchange,
    route: HttpRoute,
    method: string,
    rawQuery: string,
    rawPath: string,
  ): Promise<HttpReply | null> {
    const { config } = this.options;
    const pending = readBody(exchange.req, config.bodyLimit);
    const read = pending instanceof Promise ? await pending : pending;
    if (read.kind === 'aborted') return null;
    if (read.kind === 'too_large') {
      const tooLarge = statusReply(413, `Request body exceeds the limit of ${config.bodyLimit} bytes`);
      // The unread rest of the upload makes the connection unusable for another request.
      return { ...tooLarge, headers: [...tooLarge.headers, CLOSE_CONNECTION] };
    }

    const headers = collectHeaders(exchange.req.rawHeaders);
    if (config.jsonBodiesOnly && read.bytes.length > 0 && !isJsonMediaType(headers['content-type'])) return UNSUPPORTED_MEDIA_TYPE;
    const pathParams = extractPathParams(route.spec, rawPath);
    const queryParams = parseQuery(rawQuery);
    const trace = traceOptions(headers);
    const routeMiddleware = route.spec.middlewareFunctionIds;
    // Built only for routes that run middleware (most run none).
    const middlewareInput =
      this.globalMiddleware.length > 0 || routeMiddleware.length > 0
        ? buildMiddlewareInput({ path_params: pathParams, query_params: queryParams, headers, method })
        : undefined;

    if (middlewareInput !== undefined && this.globalMiddleware.length > 0) {
      const early = await this.middleware(exchange, this.globalMiddleware, middlewareInput);
      if (early !== undefined) return early;
    } else if (isOver(exchange)) return null;

    const payload = buildPayload({
      method,
      apiPath: route.spec.apiPath,
      pathParams,
      queryParams,
      headers,
      body: read.bytes.length === 0 ? null : parseJsonBody(headers['content-type'], read.bytes),
    });
    if (route.spec.conditionFunctionId !== null) {
      exchange.stage = 'condition';
      const refused = await this.condition(route.spec.conditionFunctionId, payload, trace);
      if (refused !== null || isOver(exchange)) return refused;
    }

    if (middlewareInput !== undefined && routeMiddleware.length > 0) {
      const late = await this.middleware(exchange, routeMiddleware, middlewareInput);
      if (late !== undefined) return late;
    } else if (isOver(exchange)) return null;

    exchange.stage = 'handler';
    return this.invokeHandler(exchange, route, payload, read.bytes, trace);
  }

  /** Resolves `undefined` to go on, a reply to stop with, or null when the exchange is already over. */
  private async middleware(
    exchange: Exchange,
    functionIds: readonly string[],
    input: MiddlewareInput,
  ): Promise<HttpReply | null | undefined> {
    if (functionIds.length === 0) return isOver(exchange) ? null : undefined;
    exchange.stage = 'middleware';
    const reply = await runMiddleware(this.options.context, functionIds, input);
    if (isOver(exchange)) return null;
    return reply ?? undefined;
  }

  /** Exactly `false` refuses with 422; a failure is a 500; anything else (even no result) proceeds. */
  private async condition(functionId: string, payload: HttpRequestPayload, trace: InvocationOptions): Promise<HttpReply | null> {
    try {
      const verdict = await this.options.context.invoke(functionId, payload, trace);
      return verdict === false ? CONDITION_NOT_MET : null;
    } catch (err) {
      return this.failure(err, functionId);
    }
  }

  private async invokeHandler(
    exchange: Exchange,
    route: HttpRoute,
    payload: HttpRequestPayload,
    rawBody: Buffer,
    trace: InvocationOptions,
  ): Promise<HttpReply | null> {
    const { context, channels } = this.options;
    const options: InvocationOptions = route.metadata === undefined ? trace : { ...trace, metadata: route.metadata };
    if (channels === undefined) {
      try {
        const result = await context.invoke(route.functionId, payload, options);
        if (this.hangsOnAbsentResult(result)) return untilClosed(exchange);
        return replyFromResult(result);
      } catch (err) {
        return this.failure(err, route.functionId);
      }
    }
    // Channels seam (types.ts): the hooks decide between a streamed and a buffered reply.
    const opened = channels.open(rawBody);
    // A streamed reply is written by the hooks, not sendReply: give it the listener-wide headers
    // (CORS) now; headers the function sets still override them, as in buffered replies.
    for (const [name, value] of exchange.corsHeaders) exchange.res.setHeader(name, value);
    try {
      // A condition saw the payload without refs (and may hold on to it): the handler gets a copy
      // with them. Without a condition nobody else has the payload, so the refs are added to it.
      const withRefs = route.spec.conditionFunctionId === null ? payload : { ...payload };
      withRefs.request_body = opened.refs.request_body;
      withRefs.response = opened.refs.response;
      const outcome = await opened.respond(context.invoke(route.functionId, withRefs, options), exchange.res);
      if (outcome.kind === 'streamed') return null;
      if (this.hangsOnAbsentResult(outcome.value)) return await untilClosed(exchange);
      return replyFromResult(outcome.value);
    } catch (err) {
      return this.failure(err, route.functionId);
    } finally {
      opened.close();
    }
  }

  /**
   * Under the `iii-0.22` semantics a handler that returns nothing and never writes its response
   * channel leaves the request waiting, as the reference engine does, until `default_timeout` (504).
   */
  private hangsOnAbsentResult(result: unknown): boolean {
    return this.options.context.semantics === 'iii-0.22' && (result === undefined || result === null);
  }

  private failure(err: unknown, functionId: string): HttpReply {
    const errorId = generateErrorId();
    this.options.context.logger.error('http function failed', { function_id: functionId, error_id: errorId, error: describe(err) });
    return failureReply(err, errorId);
  }
}

function isOver(exchange: Exchange): boolean {
  return exchange.res.headersSent || exchange.res.destroyed;
}

/** Resolves (with nothing left to send) once the deadline or the client has ended the response. */
function untilClosed(exchange: Exchange): Promise<null> {
  if (isOver(exchange)) return Promise.resolve(null);
  return new Promise((resolve) => exchange.res.once('close', () => resolve(null)));
}

/** Incoming `traceparent` / `baggage` become the invocation's parent context (engine.md §9.5). */
function traceOptions(headers: Record<string, string>): InvocationOptions {
  // Most requests carry neither header: they share one (frozen) empty set of options.
  if (headers.traceparent === undefined && headers.baggage === undefined) return NO_TRACE;
  const options: InvocationOptions = {};
  if (headers.traceparent !== undefined) options.traceparent = headers.traceparent;
  if (headers.baggage !== undefined) options.baggage = headers.baggage;
  return options;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
