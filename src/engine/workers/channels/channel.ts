/**
 * One data channel (engine.md §10): a bounded queue of text/binary items between exactly one writer end
 * and one reader end. Ends are either WebSocket endpoints (endpoint.ts) or in-process (the HTTP
 * worker's `request_body` writer and `response` reader, http-hooks.ts); both drive the queue
 * through the same small synchronous API and a wake-up callback per end, so no promise is created
 * per item.
 */

/** An item as it travels through a channel: a text frame or a binary frame. */
export type ChannelItem = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'binary'; readonly data: Buffer };

/** `{channel_id, access_key, direction}` — the shape the SDK turns into a ChannelReader/Writer. */
export interface ChannelRef {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

type EndState = 'free' | 'claimed' | 'done';

export interface ChannelInit {
  id: string;
  key: string;
  capacity: number;
  /** The worker connection whose cleanup drops this channel; absent = nobody owns it. */
  owner?: string;
  createdAt?: number;
}

export class Channel {
  readonly id: string;
  readonly key: string;
  readonly capacity: number;
  readonly owner: string | undefined;
  readonly createdAt: number;
  /** Called with the channel once both ends are done (the registry forgets the channel then). */
  onFinished: ((channel: Channel) => void) | null = null;

  private items: ChannelItem[] = [];
  private head = 0;
  private writer: EndState = 'free';
  private reader: EndState = 'free';
  private readerWake: (() => void) | null = null;
  private writerWake: (() => void) | null = null;

  constructor(init: ChannelInit) {
    this.id = init.id;
    this.key = init.key;
    this.capacity = init.capacity;
    this.owner = init.owner;
    this.createdAt = init.createdAt ?? Date.now();
  }

  ref(direction: 'read' | 'write'): ChannelRef {
    return { channel_id: this.id, access_key: this.key, direction };
  }

  /** Takes the writer end; false when it was taken before (a second writer is refused). */
  claimWriter(wake: (() => void) | null = null): boolean {
    if (this.writer !== 'free') return false;
    this.writer = 'claimed';
    this.writerWake = wake;
    return true;
  }

  /** Takes the reader end; false when it was taken before (a second reader is refused). */
  claimReader(wake: (() => void) | null = null): boolean {
    if (this.reader !== 'free') return false;
    this.reader = 'claimed';
    this.readerWake = wake;
    return true;
  }

  /** Replaces the reader's wake-up (called when items arrive or the writer ends). */
  setReaderWake(wake: (() => void) | null): void {
    this.readerWake = wake;
  }

  /** Replaces the writer's wake-up (called when space frees up or the reader goes away). */
  setWriterWake(wake: (() => void) | null): void {
    this.writerWake = wake;
  }

  get writerClaimed(): boolean {
    return this.writer !== 'free';
  }

  get readerClaimed(): boolean {
    return this.reader !== 'free';
  }

  /** True once the reader end went away: further writes are dropped. */
  get readerGone(): boolean {
    return this.reader === 'done';
  }

  /** Items waiting for the reader. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** At or above capacity: the writer should wait for its wake-up before writing more. */
  get full(): boolean {
    return this.size >= this.capacity;
  }

  /**
   * Enqueues an item. Never refuses for lack of space (frames already in flight must land
   * somewhere); the writer is expected to honour `full`. Returns false when the reader is gone or
   * the writer already ended, and the item is dropped.
   */
  write(item: ChannelItem): boolean {
    if (this.reader === 'done' || this.writer === 'done') return false;
    this.items.push(item);
    this.readerWake?.();
    return true;
  }

  /** Writer finished: the reader sees end-of-stream once the queue is drained. Idempotent. */
  endWrite(): void {
    if (this.writer === 'done') return;
    this.writer = 'done';
    this.writerWake = null;
    this.readerWake?.();
    this.checkFinished();
  }

  /** The next item; `null` at end-of-stream; `undefined` when nothing is there yet. */
  read(): ChannelItem | null | undefined {
    if (this.head < this.items.length) {
      const wasFull = this.full;
      const item = this.items[this.head];
      this.head++;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        // Compact now and then so a long stream does not keep every consumed slot alive.
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (wasFull && !this.full) this.writerWake?.();
      return item;
    }
    return this.writer === 'done' ? null : undefined;
  }

  /** Reader finished or went away: queued items are dropped and the writer is told. Idempotent. */
  endRead(): void {
    if (this.reader === 'done') return;
    this.reader = 'done';
    this.readerWake = null;
    this.items = [];
    this.head = 0;
    this.writerWake?.();
    this.checkFinished();
  }

  /** Both ends done at once (sweep, owner cleanup, request over, shutdown). */
  destroy(): void {
    const writerWake = this.writerWake;
    const readerWake = this.readerWake;
    this.reader = 'done';
    this.writer = 'done';
    this.items = [];
    this.head = 0;
    this.readerWake = null;
    this.writerWake = null;
    // Each end learns it is over: the reader reads end-of-stream, the writer sees `readerGone`.
    readerWake?.();
    writerWake?.();
    this.checkFinished();
  }

  private checkFinished(): void {
    if (this.reader !== 'done' || this.writer !== 'done') return;
    const finished = this.onFinished;
    this.onFinished = null;
    finished?.(this);
  }
}
