/**
 * `iii-http`: the REST API worker (engine.md §9). It owns the REST listener and the `http` trigger
 * type; every request is served by the pipeline (pipeline.ts) over the live route table
 * (route-table.ts).
 */
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EngineContext, EngineWorker, TriggerRecord, WorkerFactory } from '../../core/types';
import { dialableHost, ListenerLifecycle } from '../../lib/listener';
import { parseHttpConfig, type HttpWorkerConfig } from './config';
import { createCorsPolicy } from './cors';
import { HttpPipeline } from './pipeline';
import { parseRouteSpec } from './route-spec';
import { RouteTable } from './route-table';
import type { HttpChannelHooks } from './types';

export { parseHttpConfig, type HttpWorkerConfig } from './config';
export type { HttpChannelHooks, HttpRequestChannels, HttpRequestPayload } from './types';

export const HTTP_WORKER_NAME = 'iii-http';
export const HTTP_TRIGGER_TYPE = 'http';

/** Nagle off: replies are small and written at once; waiting to coalesce them only adds latency. */
function onConnection(socket: Socket): void {
  socket.setNoDelay(true);
}

/**
 * A request Node could not parse (oversized headers → 431, anything else → 400) gets the same
 * `{ statusCode, error, message }` body as every other refusal, then the connection closes.
 */
function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message = status === 431 ? 'Request headers are too large' : 'Malformed HTTP request';
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class HttpWorker implements EngineWorker {
  readonly name = HTTP_WORKER_NAME;
  private readonly lifecycle = new ListenerLifecycle(HTTP_WORKER_NAME);
  private server: Server | null = null;
  private boundPort: number | null = null;
  private readonly routes = new RouteTable();
  private pipeline: HttpPipeline | null = null;

  constructor(
    private readonly config: HttpWorkerConfig,
    private readonly channels?: HttpChannelHooks,
  ) {}

  async start(context: EngineContext): Promise<void> {
    if (this.lifecycle.state !== 'IDLE' || this.server !== null) throw new Error(`${HTTP_WORKER_NAME} can only be started once`);
    const pipeline = (this.pipeline = new HttpPipeline({
      context,
      routes: this.routes,
      config: this.config,
      cors: createCorsPolicy(this.config.cors),
      channels: this.channels ?? context.use('http-channels'),
    }));
    const server = createServer({ keepAlive: true, noDelay: true }, pipeline.handle);
    server.on('connection', onConnection);
    server.on('clientError', onClientError);
    this.server = server;
    await this.lifecycle.listen(server, this.config.port, this.config.host);
    const address = server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : this.config.port;

    context.registerTriggerType({
      id: HTTP_TRIGGER_TYPE,
      description: 'Serves a function as an HTTP endpoint on the REST API listener',
      provider: {
        register: (trigger: TriggerRecord) => this.bind(context, trigger),
        unregister: (trigger: TriggerRecord) => {
          this.routes.remove(trigger.id, trigger.worker_id);
        },
      },
    });
    context.logger.info('REST API listening', { url: this.url() });
  }

  /** Closes the listener and every open connection, idle keep-alive ones included (idempotent). */
  stop(): Promise<void> {
    return this.lifecycle.close(
      () =>
        new Promise<void>((resolve) => {
          const server = this.server;
          if (server === null || !server.listening) {
            resolve();
            return;
          }
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
  }

  /** New requests get 503 with `Retry-After` (never a 404 from routes already gone); resolves once those in flight are answered. */
  drain(): Promise<void> {
    return this.pipeline?.drain() ?? Promise.resolve();
  }

  /** Requests being served right now (diagnostics and tests). */
  get activeRequests(): number {
    return this.pipeline?.activeRequests ?? 0;
  }

  url(): string | undefined {
    if (this.boundPort === null) return undefined;
    return `http://${dialableHost(this.config.host)}:${this.boundPort}`;
  }

  private bind(context: EngineContext, trigger: TriggerRecord): void {
    const spec = parseRouteSpec(trigger.config);
    // Ownership: a route another principal serves is not taken over (the error reaches the worker).
    const holder = this.routes.routeAt(spec.key);
    if (holder !== undefined && holder.triggerId !== trigger.id && holder.workerId !== trigger.worker_id) {
      context.registry.registrations.check(`route ${spec.method} /${spec.apiPath.replace(/^\//, '')}`, holder.workerId, trigger.worker_id);
    }
    this.routes.add({
      spec,
      triggerId: trigger.id,
      workerId: trigger.worker_id,
      functionId: trigger.function_id,
      metadata: trigger.metadata,
    });
    if (!spec.routed) context.logger.warn('http trigger method is never routed', { trigger_id: trigger.id, method: spec.method });
    context.logger.debug('http route bound', { method: spec.method, path: spec.apiPath, function_id: trigger.function_id });
  }
}

/** Config block of engine.md §1.1 (+ `body_limit`), checked at once: a bad block fails engine start. */
export const createHttpWorker: WorkerFactory = (config) => new HttpWorker(parseHttpConfig(config));
