import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import {
  LiveGroup,
  StreamClient,
  type ConnectionStatus,
  type IIIApplication,
  type StreamMessage,
  type StreamSubscription,
} from '../../../src/framework';
import { bootstrap } from '../../../src/main';
import type { Todo } from '../../../src/modules/todos/todo.entity';

/** The reference app, started the way `npm start` does, on the embedded engine with ephemeral ports. */
export interface RunningApp {
  readonly app: IIIApplication;
  /** `http://127.0.0.1:<port>` of the REST listener. */
  readonly http: string;
  /** `ws://127.0.0.1:<port>` of the stream listener. */
  readonly stream: string;
  readonly api: Api;
  /**
   * Resolves once every reaction has caught up with the writes made so far and every stream frame
   * they caused has reached the connected clients (`app.settle()`): await it, never sleep or poll.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** SQLite in this directory (default: memory storage). */
  dataDir?: string;
  /** Fixed ports, e.g. to restart on the ports of a previous run (default: ephemeral). */
  ports?: { http: number; stream: number; worker: number };
  /** Serve the dev console too (on a free loopback port: `app.urls.console`). */
  console?: boolean;
}

export async function startApp(options: StartOptions = {}): Promise<RunningApp> {
  const app = await bootstrap({
    host: '127.0.0.1',
    logger: false,
    ...(options.console === true && { console: true }),
    ...(options.ports !== undefined
      ? { httpPort: options.ports.http, streamPort: options.ports.stream, workerPort: options.ports.worker }
      : { ephemeralPorts: true }),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir, storage: 'sqlite' } : { storage: 'memory' }),
  });
  const { http, stream } = app.urls;
  if (http === undefined || stream === undefined) {
    await app.close();
    throw new Error(`the embedded engine reported no REST or stream URL: ${JSON.stringify(app.urls)}`);
  }
  const base = http.replace(/\/$/, '');
  return { app, http: base, stream, api: new Api(base), settle: () => app.settle(), close: () => app.close() };
}

/** The ports a running app listens on, to start a successor on the same ones. */
export function portsOf(running: RunningApp): { http: number; stream: number; worker: number } {
  const port = (url: string | undefined): number => Number(new URL(String(url)).port);
  return { http: port(running.http), stream: port(running.stream), worker: port(running.app.urls.worker) };
}

/** A temporary data directory, removed by `remove()`. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'iii-todo-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A thin real-HTTP client (Node's fetch) that keeps the raw text next to the parsed body. */
export class Api {
  constructor(readonly base: string) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    init: { raw?: string; contentType?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (init.raw !== undefined) payload = init.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (e.g. the HTML page): keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  create(title: unknown): Promise<ApiResponse<Todo>> {
    return this.request<Todo>('POST', '/todos', { title });
  }

  list(): Promise<ApiResponse<Todo[]>> {
    return this.request<Todo[]>('GET', '/todos');
  }

  get(id: string): Promise<ApiResponse<Todo>> {
    return this.request<Todo>('GET', `/todos/${encodeURIComponent(id)}`);
  }

  patch(id: string, body: unknown): Promise<ApiResponse<Todo>> {
    return this.request<Todo>('PATCH', `/todos/${encodeURIComponent(id)}`, body);
  }

  delete(id: string): Promise<ApiResponse<{ id: string; deleted: boolean }>> {
    return this.request('DELETE', `/todos/${encodeURIComponent(id)}`);
  }

  metrics(): Promise<ApiResponse<{ total: number; completed: number; active: number }>> {
    return this.request('GET', '/todos/metrics');
  }
}

/** A stream client on Node (`ws`), recording every frame it delivers to one group subscription. */
export class StreamRecorder<T = unknown> {
  readonly client: StreamClient;
  readonly messages: Array<StreamMessage<T>> = [];
  readonly live: LiveGroup<T> | null;
  private readonly subscription: StreamSubscription;
  private readonly statusWaiters: Array<{ status: ConnectionStatus; resolve(): void }> = [];

  private constructor(url: string, target: { stream: string; group: string; item?: string }) {
    this.client = new StreamClient(url, {
      WebSocket,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      onStatus: (status) => this.statusChanged(status),
    });
    this.live = target.item === undefined ? new LiveGroup<T>(this.client, target, {}) : null;
    this.subscription = this.client.join<T>(target, { onMessage: (m) => this.messages.push(m) });
  }

  /** Joins and waits for the first sync, so later writes are guaranteed to be seen. */
  static async join<T>(url: string, target: { stream: string; group: string; item?: string }): Promise<StreamRecorder<T>> {
    const recorder = new StreamRecorder<T>(url, target);
    const synced = await Promise.all([recorder.subscription.synced, recorder.live?.subscription.synced ?? true]);
    if (!synced.every(Boolean)) throw new Error(`joining ${target.stream}/${target.group} was refused`);
    return recorder;
  }

  /** Resolves when the connection reaches `status` (e.g. `reconnecting` after the server went away). */
  reaches(status: ConnectionStatus): Promise<void> {
    if (this.client.status === status) return Promise.resolve();
    return new Promise((resolve) => this.statusWaiters.push({ status, resolve }));
  }

  /** The non-sync events, as `type:id` strings. */
  changes(): string[] {
    return this.messages.filter((m) => m.event.type !== 'sync').map((m) => `${m.event.type}:${m.id}`);
  }

  last(): StreamMessage<T> | undefined {
    return this.messages[this.messages.length - 1];
  }

  close(): void {
    this.client.close();
  }

  private statusChanged(status: ConnectionStatus): void {
    for (const waiter of this.statusWaiters.filter((w) => w.status === status)) {
      this.statusWaiters.splice(this.statusWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/**
 * Polls a condition (bounded) for effects that have no event to await. The reference app's own
 * tests await `settle()` instead; this remains for effects outside one engine (e.g. several processes).
 */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 3000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
