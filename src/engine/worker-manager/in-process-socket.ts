import { EventEmitter } from 'node:events';

/** What one end of an in-process connection receives from the other, in order. */
type Inbound =
  | { kind: 'open' }
  | { kind: 'message'; data: string | Buffer; isBinary: boolean; sent: SendCallback | undefined }
  | { kind: 'ping' | 'pong'; data: Buffer }
  | { kind: 'close'; code: number; reason: Buffer }
  /** The other end went away without a closing handshake (`terminate`), or the open failed. */
  | { kind: 'end'; error?: Error };

type SendCallback = (error?: Error) => void;

const EMPTY = Buffer.alloc(0);
const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;

/** The close codes `ws` lets an endpoint send (RFC 6455 §7.4). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function toPayload(data: unknown): Buffer {
  if (data === undefined || data === null) return EMPTY;
  if (typeof data === 'string') return Buffer.from(data);
  if (typeof data === 'number') return Buffer.from(String(data));
  if (Buffer.isBuffer(data)) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data instanceof ArrayBuffer) return Buffer.from(data.slice(0));
  throw new TypeError('The data must be a string, a Buffer, an ArrayBuffer or a typed array');
}

/**
 * One end of a connection between two parties in one process, with the API of a `ws` WebSocket:
 * `send`, `close`, `terminate`, `ping`/`pong`, `pause`/`resume`, `readyState`, `bufferedAmount`
 * and the `open`, `message`, `ping`, `pong`, `close` and `error` events. Text goes across as the
 * same string (no encoding, framing or masking), binary data as a copied Buffer.
 *
 * Like a socket, delivery is asynchronous and ordered: what one end sends is queued and handed to
 * the other end in a later macrotask (`setImmediate`, everything queued in one go), never inside
 * the sender's stack. The closing handshake is the WebSocket one: `close(code, reason)` reaches
 * the other end after everything sent before it, which answers with the same code; both ends then
 * emit `close` with it. `terminate()` ends both at once with 1006, like a destroyed socket.
 */
export class InProcessSocket extends EventEmitter {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  /** Always `''` and `{}`: no subprotocol or extension is negotiated. */
  readonly protocol = '';
  readonly extensions = {};
  readonly binaryType = 'nodebuffer';

  private state: number;
  private peer: InProcessSocket | undefined;
  private readonly inbox: Inbound[] = [];
  /** Index of the next inbox entry to deliver (entries before it are done). */
  private next = 0;
  private scheduled = false;
  private paused = false;
  private closeSent = false;
  private closeReceived: { code: number; reason: Buffer } | undefined;
  /** `ws`'s `handshakeTimeout`: fails a connection not open in time. Internal, so `removeAllListeners` cannot strand it. */
  private handshakeTimer: NodeJS.Timeout | undefined;
  private readonly flush = (): void => this.deliver();

  /**
   * `open` ⇒ already open (the accepting end); else CONNECTING until `connectTo` / `fail`, and
   * failed with `Opening handshake has timed out` after `handshakeTimeoutMs` if given.
   */
  constructor(
    readonly url: string,
    options: { open?: boolean; handshakeTimeoutMs?: number } = {},
  ) {
    super();
    this.state = options.open === true ? InProcessSocket.OPEN : InProcessSocket.CONNECTING;
    const timeoutMs = options.handshakeTimeoutMs;
    if (this.state === InProcessSocket.CONNECTING && timeoutMs !== undefined && timeoutMs > 0) {
      this.handshakeTimer = setTimeout(() => this.fail(new Error('Opening handshake has timed out')), timeoutMs);
    }
  }

  /** Links two ends: `this` (connecting) emits `open` before anything `accepted` sends. */
  connectTo(accepted: InProcessSocket): void {
    if (this.state !== InProcessSocket.CONNECTING || this.peer !== undefined) {
      // Closed while the other side was deciding: that side sees a connection that went away.
      accepted.enqueue({ kind: 'end' });
      return;
    }
    this.stopHandshakeTimer();
    this.peer = accepted;
    accepted.peer = this;
    this.enqueue({ kind: 'open' });
  }

  private stopHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  /** The connection could not be opened: `error`, then `close` 1006 (as `ws` does). */
  fail(error: Error): void {
    if (this.state !== InProcessSocket.CONNECTING) return;
    this.stopHandshakeTimer();
    this.state = InProcessSocket.CLOSING;
    // Accepted already (its `open` not yet delivered): the accepting end sees the connection go away.
    this.post({ kind: 'end' });
    this.peer = undefined;
    this.enqueue({ kind: 'end', error });
  }

  get readyState(): number {
    return this.state;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes this end sent that the other end has not received yet. */
  get bufferedAmount(): number {
    const pending = this.peer?.inbox ?? [];
    let bytes = 0;
    for (let i = this.peer?.next ?? 0; i < pending.length; i++) {
      const item = pending[i] as Inbound;
      if (item.kind === 'message') bytes += typeof item.data === 'string' ? Buffer.byteLength(item.data) : item.data.length;
    }
    return bytes;
  }

  send(data: unknown, options?: { binary?: boolean } | SendCallback, callback?: SendCallback): void {
    const sent = typeof options === 'function' ? options : callback;
    const binary = typeof options === 'object' ? options.binary : undefined;
    if (!this.writable(sent)) return;
    const isBinary = binary ?? typeof data !== 'string';
    const payload = typeof data === 'string' && !isBinary ? data : toPayload(data);
    this.post({ kind: 'message', data: payload, isBinary, sent });
  }

  ping(data?: unknown, _mask?: boolean, callback?: SendCallback): void {
    this.control('ping', data, callback);
  }

  pong(data?: unknown, _mask?: boolean, callback?: SendCallback): void {
    this.control('pong', data, callback);
  }

  /** Starts the closing handshake; before the connection opened, aborts it (`error`, then `close` 1006). */
  close(code?: number, reason?: string | Buffer): void {
    if (this.state === InProcessSocket.CLOSED) return;
    if (this.state === InProcessSocket.CONNECTING) {
      this.fail(new Error('WebSocket was closed before the connection was established'));
      return;
    }
    if (code !== undefined && (typeof code !== 'number' || !isSendableCloseCode(code))) {
      throw new TypeError('First argument must be a valid error code number');
    }
    const reasonBytes = reason === undefined ? EMPTY : Buffer.from(reason);
    if (reasonBytes.length > 123) throw new RangeError('The message must not be greater than 123 bytes');
    this.state = InProcessSocket.CLOSING;
    this.sendClose(code ?? 1005, code === undefined ? EMPTY : reasonBytes);
  }

  /** Ends the connection at once: this end and the other emit `close` 1006 (unless a close frame came first). */
  terminate(): void {
    if (this.state === InProcessSocket.CLOSED) return;
    if (this.state === InProcessSocket.CONNECTING) {
      this.fail(new Error('WebSocket was closed before the connection was established'));
      return;
    }
    this.state = InProcessSocket.CLOSING;
    this.post({ kind: 'end' });
    this.peer = undefined;
    // What arrived but was not delivered is lost with the socket.
    this.inbox.length = 0;
    this.next = 0;
    this.enqueue({ kind: 'end' });
  }

  pause(): void {
    if (this.state === InProcessSocket.CONNECTING || this.state === InProcessSocket.CLOSED) return;
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.schedule();
  }

  private control(kind: 'ping' | 'pong', data: unknown, callback: SendCallback | undefined): void {
    if (!this.writable(callback)) return;
    this.post({ kind, data: toPayload(data) });
    if (callback !== undefined) process.nextTick(callback);
  }

  /** `ws` semantics: throws before the connection opened; after close, the callback gets the error. */
  private writable(callback: SendCallback | undefined): boolean {
    if (this.state === InProcessSocket.OPEN) return true;
    const error = new Error(`WebSocket is not open: readyState ${this.state} (${STATE_NAMES[this.state] ?? '?'})`);
    if (this.state === InProcessSocket.CONNECTING) throw error;
    if (callback !== undefined) process.nextTick(callback, error);
    return false;
  }

  private sendClose(code: number, reason: Buffer): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.post({ kind: 'close', code, reason });
  }

  /** Queues an item for the other end. */
  private post(item: Inbound): void {
    this.peer?.enqueue(item);
  }

  private enqueue(item: Inbound): void {
    this.inbox.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.next >= this.inbox.length) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Delivers what is queued, in order; a listener that throws leaves the rest for the next turn. */
  private deliver(): void {
    this.scheduled = false;
    try {
      while (!this.paused && this.next < this.inbox.length) {
        const item = this.inbox[this.next] as Inbound;
        this.next++;
        this.receive(item);
      }
    } finally {
      if (this.next >= this.inbox.length) {
        this.inbox.length = 0;
        this.next = 0;
      } else {
        this.schedule();
      }
    }
  }

  private receive(item: Inbound): void {
    if (this.state === InProcessSocket.CLOSED) {
      if (item.kind === 'message') item.sent?.(new Error('WebSocket is not open: readyState 3 (CLOSED)'));
      return;
    }
    switch (item.kind) {
      case 'open':
        if (this.state !== InProcessSocket.CONNECTING) return;
        this.state = InProcessSocket.OPEN;
        this.emit('open');
        return;
      case 'message':
        this.emit('message', item.data, item.isBinary);
        item.sent?.();
        return;
      case 'ping':
        // `ws` answers pings by itself (autoPong) before telling the listeners.
        if (this.state === InProcessSocket.OPEN) this.post({ kind: 'pong', data: item.data });
        this.emit('ping', item.data);
        return;
      case 'pong':
        this.emit('pong', item.data);
        return;
      case 'close':
        this.closeReceived = { code: item.code, reason: item.reason };
        this.state = InProcessSocket.CLOSING;
        // The closing handshake: answer with the same status, then both ends are closed.
        this.sendClose(item.code, item.code === 1005 ? EMPTY : item.reason);
        this.finish(item.code, item.reason);
        return;
      case 'end':
        if (item.error !== undefined) this.emit('error', item.error);
        this.finish(this.closeReceived?.code ?? 1006, this.closeReceived?.reason ?? EMPTY);
        return;
    }
  }

  private finish(code: number, reason: Buffer): void {
    this.stopHandshakeTimer();
    this.state = InProcessSocket.CLOSED;
    this.peer = undefined;
    for (let i = this.next; i < this.inbox.length; i++) {
      const left = this.inbox[i] as Inbound;
      if (left.kind === 'message') left.sent?.(new Error('WebSocket is not open: readyState 3 (CLOSED)'));
    }
    this.inbox.length = this.next;
    this.emit('close', code, reason);
  }
}
