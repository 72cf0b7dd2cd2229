/**
 * The dev console: a read-only page on its own loopback port (3113, like iii's console) showing
 * workers, functions, triggers, state, streams, invocations and reactions of this engine, live.
 *
 * It is off unless asked for, binds loopback only (a non-loopback host is refused), answers GET
 * alone, refuses requests whose Host is not the loopback address it serves (DNS rebinding) or that
 * come from another page's Origin, and invokes nothing: it reads the engine's own read-only
 * functions. It is no way around worker authentication.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineCore } from '../core/engine-core';
import { renderConsolePage } from './page';
import { InvocationRecorder } from './recorder';
import { scopeItems, takeSnapshot } from './snapshot';

/** `startEngine({ console })`. */
export interface ConsoleOptions {
  /** Default 3113; 0 picks a free port. */
  port?: number;
  /** A loopback address (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** How often the live view is pushed, ms (default 1000). */
  intervalMs?: number;
}

export const DEFAULT_CONSOLE_PORT = 3113;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Thrown for a console asked to listen beyond loopback. */
export class ConsoleHostError extends Error {}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export class DevConsole {
  private readonly recorder = new InvocationRecorder();
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();
  private origin = '';
  private hosts = new Set<string>();

  constructor(
    private readonly core: EngineCore,
    private readonly options: ConsoleOptions = {},
  ) {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) throw new ConsoleHostError(`the dev console listens on loopback only, not on ${host}`);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Binds and starts recording invocations; resolves with the console's URL. */
  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? DEFAULT_CONSOLE_PORT, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    this.origin = `http://${host === '::1' ? '[::1]' : host}:${port}`;
    this.core.invocationObserver = this.recorder.observe;
    return `${this.origin}/`;
  }

  async close(): Promise<void> {
    if (this.core.invocationObserver === this.recorder.observe) this.core.invocationObserver = undefined;
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusal(req);
    if (refusal !== undefined) {
      res.writeHead(refusal.status, { 'content-type': 'application/json', ...SECURITY_HEADERS, ...refusal.headers });
      res.end(JSON.stringify({ statusCode: refusal.status, message: refusal.message }));
      return;
    }
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
      res.end(renderConsolePage());
    } else if (url.pathname === '/api/snapshot') {
      void this.sendJson(res, () => takeSnapshot(this.core, this.recorder));
    } else if (url.pathname === '/api/state') {
      void this.sendJson(res, () => scopeItems(this.core, url.searchParams.get('scope') ?? ''));
    } else if (url.pathname === '/api/events') {
      this.live(res, url.searchParams.get('scope'));
    } else {
      res.writeHead(404, { 'content-type': 'application/json', ...SECURITY_HEADERS });
      res.end(JSON.stringify({ statusCode: 404, message: 'not found' }));
    }
  }

  /** Why a request is refused: not a GET, a foreign Host (DNS rebinding) or a foreign Origin. */
  private refusal(req: IncomingMessage): { status: number; message: string; headers?: Record<string, string> } | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, message: 'the dev console is read-only', headers: { allow: 'GET, HEAD' } };
    if (!this.hosts.has(req.headers.host ?? '')) return { status: 421, message: 'the dev console answers on its loopback address only' };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.origin && !this.hosts.has(origin.replace(/^http:\/\//, ''))) {
      return { status: 403, message: 'origin not allowed' };
    }
    return undefined;
  }

  private async sendJson(res: ServerResponse, read: () => Promise<unknown>): Promise<void> {
    try {
      const body = JSON.stringify(await read());
      res.writeHead(200, { 'content-type': 'application/json', ...SECURITY_HEADERS });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json', ...SECURITY_HEADERS });
      res.end(JSON.stringify({ statusCode: 500, message: error instanceof Error ? error.message : String(error) }));
    }
  }

  /** Server-sent events: the snapshot (and the chosen scope's items) about once a second. */
  private live(res: ServerResponse, scope: string | null): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...SECURITY_HEADERS });
    this.streams.add(res);
    let busy = false;
    const push = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const snapshot = await takeSnapshot(this.core, this.recorder);
        const items = scope !== null && scope !== '' ? await scopeItems(this.core, scope) : null;
        res.write(`data: ${JSON.stringify({ snapshot, scope, items })}\n\n`);
      } finally {
        busy = false;
      }
    };
    void push();
    const timer = setInterval(() => void push(), this.options.intervalMs ?? 1000);
    timer.unref();
    res.on('close', () => {
      clearInterval(timer);
      this.streams.delete(res);
    });
  }
}
