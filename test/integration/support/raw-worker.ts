/**
 * A bare `ws` worker-protocol client for what the iii-sdk cannot show (first frame, dropped
 * frames, absent vs null keys, reattach). Frames are collected; `next()` awaits a matching one.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type RawFrame = Record<string, unknown>;

export class RawWorker {
  readonly frames: RawFrame[] = [];
  private readonly waiters: Array<{ match: (f: RawFrame) => boolean; resolve: (f: RawFrame) => void }> = [];
  private closedPromise: Promise<void>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let frame: RawFrame;
      try {
        frame = JSON.parse(String(data)) as RawFrame;
      } catch {
        return;
      }
      this.frames.push(frame);
      // A frame is consumed once: it goes to the first waiter that matches it.
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter !== undefined) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    });
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens a socket to `url` (the engine's worker URL, optionally with a path). */
  static connect(url: string): Promise<RawWorker> {
    const socket = new WebSocket(url);
    const worker = new RawWorker(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(worker));
      socket.once('error', reject);
    });
  }

  /** Connects and waits for `workerregistered`; resolves the worker and its id/token. */
  static async register(url: string): Promise<{ worker: RawWorker; workerId: string; token: string }> {
    const worker = await RawWorker.connect(url);
    const hello = await worker.next((f) => f.type === 'workerregistered');
    return { worker, workerId: String(hello.worker_id), token: String(hello.reattach_token) };
  }

  send(frame: RawFrame | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first already-received or future frame matching `match`. */
  next(match: (frame: RawFrame) => boolean, timeoutMs = 5_000): Promise<RawFrame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${timeoutMs}ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (frame: RawFrame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends `invokefunction` with a fresh invocation id and resolves the matching result frame. */
  async call(functionId: string, data: unknown, extra: RawFrame = {}): Promise<RawFrame> {
    const invocationId = randomUUID();
    this.send({ type: 'invokefunction', invocation_id: invocationId, function_id: functionId, data, ...extra });
    return this.next((f) => f.type === 'invocationresult' && f.invocation_id === invocationId);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closedPromise;
  }
}
