/**
 * The stream listener (engine.md §8.3): its own HTTP server, WebSocket upgrades on `/` and on the path form
 * `/stream/{stream_name}/{group_id}` (which joins that group at once), the optional auth function
 * called before the upgrade, and the fan-out of change events to subscribed clients.
 * Lifecycle: the engine listeners' shared one (`engine/lib/listener`): IDLE → RUNNING → CLOSING →
 * CLOSED; `drain()` refuses new connections (503) while RUNNING; `close()` is idempotent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EngineContext, Json } from '../../core/types';
import { parseClientFrame, resumeFields, type ClientFrameData } from '../../../protocol/stream';
import { withDeadline } from '../../lib/deadline';
import { dialableUrl, ListenerLifecycle } from '../../lib/listener';
import { OriginPolicy } from '../../security/origins';
import { CLOSE_FLOODING, CLOSE_TOO_SLOW, StreamConnection, type ConnectionDeps } from './connection';
import type { StreamEventLog } from './event-log';
import { ConnectionCounter, DEFAULT_STREAM_LIMITS, FrameRate, normaliseAddress, withTimeout, type StreamLimits } from './limits';
import type { StreamOperations } from './operations';
import { Outbox } from './outbox';
import { SubscriptionIndex, unnumberedFrame } from './subscriptions';
import type { StreamTriggers } from './triggers';
import type { StreamFrame } from './types';

export interface StreamServerOptions {
  host: string;
  port: number;
  authFunction: string | undefined;
  maxBufferedBytes: number;
  /**
   * true: numbered frames, `since` resume and the path-form URL. false (`iii-0.22` semantics):
   * plain frames, every join gets a fresh sync, and only `/` is served.
   */
  resumable: boolean;
  /** Browser origins allowed to connect (undefined ⇒ any); the app's own page is added later. */
  allowedOrigins?: string[];
  /** What each client and all of them may hold; default `DEFAULT_STREAM_LIMITS`. */
  limits?: StreamLimits;
}

export interface StreamServerDeps {
  context: Pick<EngineContext, 'invoke' | 'logger'>;
  triggers: StreamTriggers;
  operations: Pick<StreamOperations, 'get' | 'list'>;
  log: Pick<StreamEventLog, 'head' | 'version' | 'replay'>;
}

/** Close code of a refused connection: 1008 "policy violation". */
export const CLOSE_POLICY = 1008;
/** Close code when the auth function failed or timed out: 1011 "internal error" (fail closed). */
export const CLOSE_AUTH_FAILED = 1011;
/** What `authenticate` returns when the connection must be refused. */
const REFUSED = Symbol('refused');
/** Client frames are tiny join/leave objects; anything this big is not one. */
const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long `close()` lets clients answer the close handshake before destroying their sockets. */
const CLOSE_GRACE_MS = 500;

/** Input of the auth function (engine.md §8.3). */
interface AuthInput {
  headers: Record<string, string>;
  path: string;
  query_params: Record<string, string[]>;
  addr: string;
}

export class StreamServer {
  private readonly lifecycle = new ListenerLifecycle('iii-stream');
  /** Shutting down: connected clients keep receiving, new connections are refused (503). */
  private draining = false;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly index: SubscriptionIndex;
  private readonly connections = new Map<WebSocket, StreamConnection>();
  /** Sockets waiting for the auth function; destroyed if the server closes meanwhile. */
  private readonly authenticating = new Set<Duplex>();
  private readonly connectionDeps: ConnectionDeps;
  /** Which browser pages may connect (checked before the auth function runs). */
  readonly origins: OriginPolicy;
  private readonly limits: StreamLimits;
  private readonly counter: ConnectionCounter;

  constructor(
    private readonly deps: StreamServerDeps,
    private readonly options: StreamServerOptions,
  ) {
    this.index = new SubscriptionIndex(options.resumable ? undefined : unnumberedFrame);
    this.limits = options.limits ?? DEFAULT_STREAM_LIMITS;
    this.counter = new ConnectionCounter(this.limits);
    this.connectionDeps = {
      ...deps,
      index: this.index,
      outbox: new Outbox((err) => deps.context.logger.error('stream frames could not be written', { error: String(err) })),
      maxBufferedBytes: options.maxBufferedBytes,
      resumable: options.resumable,
      limits: this.limits,
    };
    this.origins = new OriginPolicy(options.allowedOrigins);
    this.http = createServer(this.onRequest);
    // A client that opens TCP but never finishes its upgrade request is cut off (like the
    // worker listener's handshake timeout) instead of holding a socket forever.
    this.http.headersTimeout = HANDSHAKE_TIMEOUT_MS;
    this.http.requestTimeout = HANDSHAKE_TIMEOUT_MS;
    this.http.on('upgrade', this.onUpgrade);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  }

  async listen(): Promise<void> {
    await this.lifecycle.listen(this.http, this.options.port, this.options.host);
    this.http.on('error', (err) => this.deps.context.logger.error('stream listener error', { error: String(err) }));
  }

  /** `ws://host:port` of the bound listener; a wildcard bind is reported as loopback (connectable). */
  url(): string | undefined {
    return this.lifecycle.running ? dialableUrl('ws', this.http) : undefined;
  }

  /** Subscriptions per stream group (the dev console). */
  subscriberGroups(): Array<{ stream: string; group: string; subscribers: number }> {
    return this.index.groups();
  }

  /** Sends a change event to every matching subscription; never throws. */
  publish(message: StreamFrame): void {
    try {
      this.index.publish(message);
    } catch (err) {
      this.deps.context.logger.error('stream event could not be delivered', { error: String(err) });
    }
  }

  /** New connections are answered 503 with `Retry-After`; connected clients keep receiving until `close()`. */
  drain(): void {
    this.draining = true;
  }

  /**
   * True when every stream delivery made so far has reached the clients' sockets and no join is
   * being answered or authenticated (the engine's `settle()` waits for it).
   */
  isFlushed(): boolean {
    if (this.authenticating.size > 0) return false;
    for (const connection of this.connections.values()) if (!connection.isFlushed()) return false;
    return true;
  }

  /** Closes every client socket and the listener. Leave triggers are not run while shutting down. */
  close(): Promise<void> {
    return this.lifecycle.close((wasListening) => this.shutdown(wasListening));
  }

  private async shutdown(wasListening: boolean): Promise<void> {
    for (const socket of this.authenticating) socket.destroy();
    this.authenticating.clear();
    const sockets = [...this.connections.keys()];
    await closeSockets(sockets);
    this.wss.close();
    if (wasListening) {
      await new Promise<void>((resolve) => {
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      });
    }
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // Only WebSocket upgrades are served; plain HTTP gets a clear refusal.
    const status = this.routeOf(req.url) !== undefined ? 426 : 404;
    res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
    res.end(status === 426 ? 'Upgrade Required' : 'Not Found');
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A reset during the handshake must not become an uncaught 'error' event.
    socket.on('error', () => undefined);
    const route = this.routeOf(req.url);
    if (route === undefined || !this.lifecycle.running || this.draining) {
      refuse(socket, route !== undefined || !this.lifecycle.running ? '503 Service Unavailable' : '404 Not Found');
      return;
    }
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    if (!this.origins.allows(req.headers.origin, req.headers.host)) {
      this.deps.context.logger.warn('stream connection refused: origin not allowed', { origin: req.headers.origin });
      this.refuseOpen(req, socket, head, CLOSE_POLICY, 'origin not allowed');
      return;
    }
    const address = normaliseAddress(req.socket.remoteAddress);
    const refusal = this.counter.refusal(address);
    if (refusal !== undefined) {
      this.deps.context.logger.warn('stream connection refused: connection limit', { address, limit: refusal });
      if (refusal === 'total') this.refuseOpen(req, socket, head, CLOSE_TOO_SLOW, 'too many connections');
      else this.refuseOpen(req, socket, head, CLOSE_POLICY, 'too many connections from this address');
      return;
    }
    // Counted from here (the auth function's wait included) until the TCP socket closes.
    socket.once('close', this.counter.add(address));
    const authFunction = this.options.authFunction;
    if (authFunction === undefined) {
      this.accept(req, socket, head, { context: null, join: route.join });
      return;
    }
    this.authenticating.add(socket);
    void this.authenticate(authFunction, req).then((context) => {
      this.authenticating.delete(socket);
      if (!this.lifecycle.running || socket.destroyed) {
        socket.destroy();
        return;
      }
      if (context === REFUSED) {
        this.refuseOpen(req, socket, head, CLOSE_AUTH_FAILED, 'authentication unavailable');
        return;
      }
      this.accept(req, socket, head, { context, join: route.join });
    });
  };

  /**
   * Calls the auth function; its `context` is attached to the connection. No result or a
   * non-object lets the client in without context (only join triggers refuse); a failed or
   * timed-out call refuses the connection (fail closed, unlike the reference engine).
   */
  private async authenticate(functionId: string, req: IncomingMessage): Promise<Json | typeof REFUSED> {
    try {
      const result = await withTimeout(this.deps.context.invoke(functionId, authInput(req)), this.limits.guardTimeoutMs);
      if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
        const context = (result as Record<string, unknown>).context;
        return context === undefined ? null : (context as Json);
      }
      this.deps.context.logger.debug('stream auth function returned no context object', { functionId });
    } catch (err) {
      this.deps.context.logger.error('stream auth function failed; connection refused', { functionId, error: String(err) });
      return REFUSED;
    }
    return null;
  }

  /** Completes the upgrade only to close with a code and reason the client (a browser too) can read. */
  private refuseOpen(req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.close(code, reason);
    });
  }

  /** The path form is ours: under the `iii-0.22` semantics only `/` is served. */
  private routeOf(url: string | undefined): Route | undefined {
    const route = routeOf(url);
    return route?.join !== undefined && !this.options.resumable ? undefined : route;
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, accepted: { context: Json; join: ClientFrameData | undefined }): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, socket, accepted));
  }

  /** `socket`: the TCP socket `ws` was upgraded from (the connection writes prebuilt frames to it). */
  private onConnection(ws: WebSocket, socket: Duplex, accepted: { context: Json; join: ClientFrameData | undefined }): void {
    if (!this.lifecycle.running) {
      ws.terminate();
      return;
    }
    const { context, join } = accepted;
    const connection = new StreamConnection(ws, socket, context, this.connectionDeps);
    this.connections.set(ws, connection);
    const rate = new FrameRate(this.limits.framesPerSecond);
    ws.on('message', (raw: RawData) => {
      if (!rate.take()) {
        if (!connection.isOpen) return;
        this.deps.context.logger.warn('stream client exceeded the frame rate, disconnecting', { limit: this.limits.framesPerSecond });
        connection.drop(CLOSE_FLOODING, 'too many frames per second');
        return;
      }
      const frame = parseClientFrame(frameText(raw));
      if (frame !== undefined) connection.enqueue(frame.type, frame.data);
    });
    ws.on('error', (err) => this.deps.context.logger.debug('stream client socket error', { error: String(err) }));
    ws.once('close', () => {
      this.connections.delete(ws);
      void connection.closedBySocket(this.lifecycle.running);
    });
    if (join !== undefined) connection.enqueue('join', join);
  }
}

/** What a URL path serves: `/`, or `/stream/{stream}/{group}` with the join it implies. */
interface Route {
  join: ClientFrameData | undefined;
}

const PATH_FORM = /^\/stream\/([^/]+)\/([^/]+)\/?$/;

/**
 * The path form joins its group as subscription `stream/{stream}/{group}` (the id to `leave` it
 * with); `?since=<seq>&epoch=<epoch>` in the query resumes like a join frame's fields.
 */
function routeOf(url: string | undefined): Route | undefined {
  const raw = url ?? '/';
  const queryStart = raw.indexOf('?');
  const path = queryStart < 0 ? raw : raw.slice(0, queryStart);
  if (path === '/') return { join: undefined };
  const match = PATH_FORM.exec(path);
  if (match === null) return undefined;
  let streamName: string;
  let groupId: string;
  try {
    streamName = decodeURIComponent(match[1] ?? '');
    groupId = decodeURIComponent(match[2] ?? '');
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(queryStart < 0 ? '' : raw.slice(queryStart + 1));
  const join: ClientFrameData = { subscriptionId: `stream/${streamName}/${groupId}`, streamName, groupId, id: null };
  Object.assign(join, resumeFields(query.get('since') ?? undefined, query.get('epoch') ?? undefined));
  return { join };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}

function refuse(socket: Duplex, status: string): void {
  socket.once('finish', () => socket.destroy());
  const retry = status.startsWith('503') ? 'Retry-After: 1\r\n' : '';
  socket.end(`HTTP/1.1 ${status}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}

function authInput(req: IncomingMessage): AuthInput {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query_params: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const raw = req.url ?? '/';
  const queryStart = raw.indexOf('?');
  if (queryStart >= 0) {
    for (const [key, value] of new URLSearchParams(raw.slice(queryStart + 1))) {
      (query_params[key] ??= []).push(value);
    }
  }
  const { remoteAddress, remotePort } = req.socket;
  const host = remoteAddress !== undefined && remoteAddress.includes(':') ? `[${remoteAddress}]` : remoteAddress;
  return { headers, path: pathOf(req.url), query_params, addr: `${host ?? 'unknown'}:${remotePort ?? 0}` };
}

/** Asks each client to close, then destroys whatever has not closed within the grace period. */
async function closeSockets(sockets: WebSocket[]): Promise<void> {
  if (sockets.length === 0) return;
  const closed = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) resolve();
        else ws.once('close', () => resolve());
      }),
  );
  for (const ws of sockets) ws.close(1001, 'server shutting down');
  await withDeadline(Promise.all(closed), CLOSE_GRACE_MS);
  for (const ws of sockets) if (ws.readyState !== ws.CLOSED) ws.terminate();
  await Promise.all(closed);
}

/** Text of a `message` event whatever its transport form (text or binary frames both carry JSON). */
function frameText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}
