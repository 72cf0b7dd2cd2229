import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WorkerManagerKernel } from '../core/engine-core';
import type { HandshakeErrorFrame } from '../../protocol/frames';
import { EngineError, toEngineError } from '../core/errors';
import { withDeadline } from '../lib/deadline';
import { dialableHost, ListenerLifecycle } from '../lib/listener';
import { WorkerConnection } from './connection';
import type { WorkerSocket } from './frame-intake';
import { addInProcessEndpoint, type InProcessOpening } from './in-process';
import type { InProcessSocket } from './in-process-socket';
import type { WorkerManagerOptions } from './options';
import { checkWorkerHandshake, CLOSE_REFUSED, type HandshakeRequest } from '../security/handshake';
import { OPEN_SESSION, type Session } from './rbac';
import { authInput, authenticate } from './session';
import { WriteCoalescer } from './write-coalescer';

/** axum's default message limit (engine.md §2.2). */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Upper bound on waiting for worker cleanups when the listener closes. */
const CLEANUP_WAIT_MS = 5_000;

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** A just-opened worker connection: a `ws` WebSocket from an upgrade, or the listener's in-process end. */
type OpenedSocket = WorkerSocket & { close(code?: number, reason?: string): void };

/** A connection on `/` or `/otel` awaiting the listener's decision: an HTTP upgrade, or an in-process opening. */
interface PendingConnection {
  readonly request: HandshakeRequest;
  readonly url: URL;
  /** `/` (a worker), not `/otel` (telemetry: accepted, frames discarded). */
  readonly worker: boolean;
  /** Refuses without opening (`503 Service Unavailable`, …). */
  refuse(status: string): void;
  open(opened: (socket: OpenedSocket) => void): void;
  /** Coalesces a real socket's writes per tick. */
  readonly writes?: WriteCoalescer;
}

/**
 * One `iii-worker-manager` listener: an HTTP server whose upgrades are routed by path —
 * `/` worker protocol, `/otel` telemetry (accepted, frames discarded), then the core's extra
 * upgrade handlers (data channels), everything else 404 (engine.md §1.1).
 */
export class WorkerListener {
  private readonly server: Server;
  /** The same listener on a unix socket, for a worker in this process (`listenLocal`). */
  private local: { server: Server; directory: string; path: string } | undefined;
  private readonly workers = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  private readonly telemetry = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  private readonly connections = new Set<WorkerConnection>();
  /** The in-process address (`listenInProcess`) and the listener's ends of its open connections. */
  private inProcess: { url: string; remove: () => void } | undefined;
  private readonly inProcessSockets = new Set<InProcessSocket>();
  private readonly lifecycle = new ListenerLifecycle('iii-worker-manager');

  constructor(
    private readonly core: WorkerManagerKernel,
    readonly options: WorkerManagerOptions,
  ) {
    this.server = this.createServer();
  }

  /** The HTTP server whose upgrades this listener routes (one for TCP, one for the local socket). */
  private createServer(): Server {
    const { options } = this;
    // A stalled upgrade (headers never completed) is dropped after `handshake_timeout_ms` (engine.md §1.1);
    // Node checks that deadline every `connectionsCheckingInterval`, so keep it short.
    const checkEvery = Math.max(100, Math.min(1_000, options.handshakeTimeoutMs));
    const server = createServer({ connectionsCheckingInterval: checkEvery }, (_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    });
    server.headersTimeout = options.handshakeTimeoutMs;
    server.requestTimeout = options.handshakeTimeoutMs;
    // Nagle off on every socket: protocol frames are small and latency-bound.
    server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    server.on('upgrade', (request, socket, head) => this.onUpgrade(request, socket, head));
    return server;
  }

  listen(): Promise<void> {
    return this.lifecycle.listen(this.server, this.options.port, this.options.host);
  }

  /** `ws://host:port` with the bound port (port 0 resolved). */
  url(): string {
    const address = this.server.address() as AddressInfo | null;
    return `ws://${dialableHost(this.options.host)}:${address?.port ?? this.options.port}`;
  }

  /**
   * Also serves this listener on a unix socket in a fresh private directory (mode 0700), for a
   * worker running in the engine's own process: the same handshake, secrets, RBAC and frames, minus
   * the TCP stack on every frame. Resolves its `ws+unix:` URL (the path iii-sdk's `ws` connects to).
   */
  async listenLocal(): Promise<string> {
    if (this.local === undefined) {
      const directory = mkdtempSync(join(tmpdir(), 'iii-'));
      const local = { server: this.createServer(), directory, path: join(directory, 'worker.sock') };
      this.local = local;
      await new Promise<void>((resolve, reject) => {
        local.server.once('error', (err) => {
          this.local = undefined;
          rmSync(directory, { recursive: true, force: true });
          reject(err);
        });
        local.server.listen(local.path, resolve);
      });
    }
    return `ws+unix:${this.local.path}:/`;
  }

  /**
   * Also serves this listener at an in-process address, for a worker in the engine's own process
   * (see `in-process.ts`): the same handshake, secrets, RBAC and frames as `/`, handed over in
   * memory. Its other paths (data channels, `/otel`) are served by the local socket when there is
   * one, else by the TCP port. Resolves the `iii+inproc:` address.
   */
  listenInProcess(): string {
    this.inProcess ??= addInProcessEndpoint({
      open: (opening) => this.onInProcessOpen(opening),
      socketUrl: () => (this.local === undefined ? this.url() : `ws+unix:${this.local.path}:/`),
    });
    return this.inProcess.url;
  }

  /** Stops accepting, closes every socket and waits for each worker's cleanup. Idempotent. */
  close(): Promise<void> {
    return this.lifecycle.close(() => this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const servers = this.local === undefined ? [this.server] : [this.server, this.local.server];
    const serversClosed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const client of this.workers.clients) client.terminate();
    for (const client of this.telemetry.clients) client.terminate();
    for (const socket of this.inProcessSockets) socket.terminate();
    // A stuck provider must not hang shutdown.
    await withDeadline(Promise.all([...this.connections].map((connection) => connection.cleanup())), CLEANUP_WAIT_MS, () =>
      this.core.logger.warn(`worker cleanup still running after ${CLEANUP_WAIT_MS}ms; closing anyway`),
    );
    for (const server of servers) server.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => this.workers.close(() => resolve())),
      new Promise<void>((resolve) => this.telemetry.close(() => resolve())),
      serversClosed,
    ]);
    if (this.local !== undefined) rmSync(this.local.directory, { recursive: true, force: true });
    this.inProcess?.remove();
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (!this.lifecycle.running) {
      refuse(socket, '503 Service Unavailable');
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      refuse(socket, '400 Bad Request');
      return;
    }
    if (url.pathname === '/' || url.pathname === '/otel') {
      const server = url.pathname === '/' ? this.workers : this.telemetry;
      this.admit({
        request,
        url,
        worker: server === this.workers,
        refuse: (status) => refuse(socket, status),
        open: (opened) => server.handleUpgrade(request, socket, head, opened),
        writes: new WriteCoalescer(socket),
      });
      return;
    }
    for (const handler of this.core.upgradeHandlers) {
      try {
        if (handler(request, socket, head, url)) return;
      } catch (err) {
        this.core.logger.error(`upgrade handler failed for ${url.pathname}`, { error: toEngineError(err).message });
        refuse(socket, '500 Internal Server Error');
        return;
      }
    }
    refuse(socket, '404 Not Found');
  }

  /** A connection to the in-process address: the same decisions as an upgrade on `/`. */
  private onInProcessOpen(opening: InProcessOpening): void {
    if (!this.lifecycle.running) {
      opening.refuse(503);
      return;
    }
    this.admit({
      request: opening.request,
      url: new URL(opening.request.url ?? '/', 'http://localhost'),
      worker: true,
      refuse: (status) => opening.refuse(Number.parseInt(status, 10)),
      open: (opened) => {
        const socket = opening.accept();
        this.inProcessSockets.add(socket);
        socket.once('close', () => this.inProcessSockets.delete(socket));
        opened(socket);
      },
    });
  }

  /** Checks the handshake (secret, Origin, auth function), then opens the connection or refuses it. */
  private admit(pending: PendingConnection): void {
    const handshake = checkWorkerHandshake(pending.request, this.options.secrets);
    if (handshake.refused !== undefined) {
      this.refuseWorker(pending, handshake.refused);
      return;
    }
    if (this.options.rbac?.authFunctionId === undefined) this.open(pending, OPEN_SESSION);
    else void this.authenticateThenOpen(pending);
  }

  /**
   * Completes the upgrade only to close it at once with a reason the client can read (a bare
   * HTTP refusal would leave the SDK with nothing but "unexpected response"). No frame is read.
   */
  private refuseWorker(pending: PendingConnection, reason: string): void {
    const origin = pending.request.headers.origin;
    this.core.logger.warn(`worker connection from ${pending.request.socket.remoteAddress ?? '?'} refused: ${reason}`, {
      ...(origin !== undefined && { origin }),
    });
    pending.open((ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => undefined);
      ws.close(CLOSE_REFUSED, reason);
    });
  }

  /**
   * engine.md §13.1: both `/` and `/otel` run the auth function before the session starts. The upgrade
   * itself completes either way, because a refusal is told over the socket (an `AUTH_ERROR` frame,
   * then a Close frame without status).
   */
  private async authenticateThenOpen(pending: PendingConnection): Promise<void> {
    let outcome: Session | EngineError;
    try {
      outcome = await authenticate(this.core, this.options, authInput(pending.request, pending.url));
    } catch (err) {
      outcome = toEngineError(err);
      this.core.logger.warn(`worker connection from ${pending.request.socket.remoteAddress ?? '?'} refused`, { error: outcome.message });
    }
    if (!this.lifecycle.running) {
      pending.refuse('503 Service Unavailable');
      return;
    }
    this.open(pending, outcome);
  }

  private open(pending: PendingConnection, outcome: Session | EngineError): void {
    pending.open((ws) => {
      ws.on('error', () => undefined);
      if (outcome instanceof EngineError) {
        const refusal: HandshakeErrorFrame = { type: 'error', error: { code: outcome.code, message: outcome.message } };
        ws.send(JSON.stringify(refusal));
        ws.close();
        return;
      }
      if (pending.worker) this.acceptWorker(ws, pending, outcome);
    });
  }

  /**
   * The identity ownership goes by: the RBAC session an auth function granted (same context ⇒
   * same principal), else the name of the secret presented, else none (the connection alone).
   */
  private principalOf(request: HandshakeRequest, session: Session): string | undefined {
    if (this.options.rbac?.authFunctionId !== undefined) return `rbac:${this.options.port}:${JSON.stringify(session.context ?? null)}`;
    const handshake = checkWorkerHandshake(request, this.options.secrets);
    return handshake.refused === undefined ? handshake.principal : undefined;
  }

  private acceptWorker(ws: OpenedSocket, pending: PendingConnection, session: Session): void {
    const connection = new WorkerConnection(this.core, ws, pending.request, this.options, pending.writes, session);
    connection.principal = this.principalOf(pending.request, session);
    this.connections.add(connection);
    ws.on('close', () => {
      void connection.cleanup().then(() => this.connections.delete(connection));
    });
    connection.start();
  }
}
