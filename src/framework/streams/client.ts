/**
 * Client for the iii stream port (spec §8.3), shared by Node code, tests and browser pages.
 *
 * This file deliberately has NO runtime imports: the web module serves its compiled JavaScript to
 * browsers as-is (wrapped so it defines a global), so anything imported here would be missing there.
 * Keep it that way; type-only declarations are fine.
 *
 * Wire facts this client relies on (spec §8.3):
 * - frames carry no subscriptionId, so events are routed by (streamName, groupId, id);
 * - a connection receives one copy of an event per matching server-side subscription, so the client
 *   keeps ONE server-side subscription per (stream, group, item) and fans out locally;
 * - joining again with the same subscriptionId replaces the subscription and triggers a fresh sync,
 *   which is how a late local subscriber gets the current state.
 *
 * Usage (Node 20 passes `ws`; browsers use their global WebSocket):
 *   const client = new StreamClient('ws://localhost:3112', { WebSocket });
 *   const todos = new LiveGroup<Todo>(client, { stream: 'todos-live', group: 'all' }, { onChange: render });
 *   client.join<Metrics>({ stream: 'todos-live', group: 'metrics', item: 'global' }, { onUpdate: show });
 *   ...
 *   client.close();
 */

/** Minimal structural view of a WebSocket: the browser's global and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Listener<unknown> | null;
  onmessage: Listener<{ data: unknown }> | null;
  onclose: Listener<unknown> | null;
  onerror: Listener<unknown> | null;
}

// Method-style signature so that `ws` and DOM event types (richer than ours) stay assignable.
type Listener<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The event inside a server frame (spec §8.3 `StreamWrapperMessage.event`). */
export type StreamMessageEvent<T = unknown> =
  | { type: 'sync'; data: unknown }
  | { type: 'create'; data: T }
  | { type: 'update'; data: T }
  | { type: 'delete'; data: T }
  | { type: 'event'; event: { type: string; data: unknown } }
  | { type: 'unauthorized' };

/** A server frame (spec §8.3). `id` is null for group-level frames. */
export interface StreamMessage<T = unknown> {
  type: 'stream';
  timestamp: number;
  streamName: string;
  groupId: string;
  id: string | null;
  event: StreamMessageEvent<T>;
}

export interface StreamTarget {
  stream: string;
  group: string;
  /** Join a single item instead of the whole group. */
  item?: string;
}

/** `S` is what a sync carries: the group's items, or the single item (null when absent). */
export interface StreamHandlers<T, S> {
  onSync?(data: S, message: StreamMessage<T>): void;
  onCreate?(item: T, id: string | null, message: StreamMessage<T>): void;
  onUpdate?(item: T, id: string | null, message: StreamMessage<T>): void;
  /** `item` is the value as it was before deletion. */
  onDelete?(item: T, id: string | null, message: StreamMessage<T>): void;
  onEvent?(type: string, data: unknown, message: StreamMessage<T>): void;
  onUnauthorized?(message: StreamMessage<T>): void;
  /** Every frame for this subscription, after the typed handler. */
  onMessage?(message: StreamMessage<T>): void;
}
export type GroupHandlers<T> = StreamHandlers<T, T[]>;
export type ItemHandlers<T> = StreamHandlers<T, T | null>;

export interface StreamSubscription {
  readonly stream: string;
  readonly group: string;
  readonly item: string | undefined;
  /** Resolves `true` at the first sync, `false` if unauthorized, left or closed first. Never rejects. */
  readonly synced: Promise<boolean>;
  leave(): void;
}

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
}

export interface StreamClientOptions {
  /** Defaults to the global `WebSocket` (browsers, Node 22+). Pass `ws`'s class on Node 20. */
  WebSocket?: WebSocketConstructor;
  /** `false` disables reconnection. Defaults: 200 ms doubling up to 5 s, with jitter. */
  reconnect?: false | ReconnectOptions;
  onStatus?(status: ConnectionStatus): void;
  /** Errors thrown by handlers land here (default: console.error); they never break delivery. */
  onError?(error: unknown): void;
}

export class StreamClientError extends Error {
  constructor(
    readonly code: 'NO_WEBSOCKET' | 'CLIENT_CLOSED' | 'INVALID_TARGET',
    message: string,
  ) {
    super(message);
    this.name = 'StreamClientError';
  }
}

const OPEN = 1;

interface LocalSubscription {
  handlers: StreamHandlers<unknown, unknown>;
  settle(value: boolean): void;
}

/** One server-side subscription, shared by every local subscriber of the same target. */
interface Channel {
  key: string;
  subscriptionId: string;
  stream: string;
  group: string;
  item: string | null;
  locals: Set<LocalSubscription>;
}

let subscriptionCounter = 0;

export class StreamClient {
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly backoff: Required<ReconnectOptions> | null;
  private readonly channels = new Map<string, Channel>();
  private socket: WebSocketLike | null = null;
  private statusValue: ConnectionStatus = 'idle';
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRaw = '';
  private duplicatesExpected = 0;

  constructor(
    readonly url: string,
    private readonly options: StreamClientOptions | WebSocketConstructor = {},
  ) {
    const opts = this.opts();
    const globalCtor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.WebSocketImpl = typeof options === 'function' ? options : (opts.WebSocket ?? globalCtor);
    this.backoff = opts.reconnect === false ? null : { initialDelayMs: 200, maxDelayMs: 5000, factor: 2, ...(opts.reconnect ?? {}) };
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** Opens the connection now instead of at the first join. */
  connect(): void {
    if (this.statusValue === 'closed') throw closedError();
    if (this.socket === null && this.timer === null) this.open();
  }

  join<T>(target: StreamTarget & { item: string }, handlers?: ItemHandlers<T>): StreamSubscription;
  join<T>(target: StreamTarget, handlers?: GroupHandlers<T>): StreamSubscription;
  join<T>(target: StreamTarget, handlers: StreamHandlers<T, never> = {}): StreamSubscription {
    if (this.statusValue === 'closed') throw closedError();
    if (!isNonEmptyString(target.stream) || !isNonEmptyString(target.group)) {
      throw new StreamClientError('INVALID_TARGET', 'join() needs non-empty "stream" and "group" strings');
    }
    if (target.item !== undefined && !isNonEmptyString(target.item)) {
      throw new StreamClientError('INVALID_TARGET', 'join(): "item" must be a non-empty string when given');
    }
    const item = target.item ?? null;
    const key = channelKey(target.stream, target.group, item);
    let channel = this.channels.get(key);
    if (!channel) {
      subscriptionCounter += 1;
      const subscriptionId = `sub-${subscriptionCounter}-${Math.random().toString(36).slice(2, 10)}`;
      channel = { key, subscriptionId, stream: target.stream, group: target.group, item, locals: new Set() };
      this.channels.set(key, channel);
    }
    let settle: (value: boolean) => void = () => undefined;
    const synced = new Promise<boolean>((resolve) => (settle = resolve));
    const local: LocalSubscription = { handlers: handlers as StreamHandlers<unknown, unknown>, settle };
    channel.locals.add(local);
    // A (re)join makes the server send a fresh sync, which also reaches the channel's earlier subscribers.
    this.sendJoin(channel);
    this.connect();
    const ch = channel;
    return {
      stream: target.stream,
      group: target.group,
      item: target.item,
      synced,
      leave: () => this.leaveLocal(ch, local),
    };
  }

  /** Stops reconnecting, closes the socket and settles every pending `synced` with false. Idempotent. */
  close(): void {
    if (this.statusValue === 'closed') return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const channel of this.channels.values()) for (const local of channel.locals) local.settle(false);
    this.channels.clear();
    const socket = this.socket;
    this.socket = null;
    this.setStatus('closed');
    if (socket) {
      detach(socket);
      socket.close(1000, 'client closed');
    }
  }

  private opts(): StreamClientOptions {
    return typeof this.options === 'function' ? {} : this.options;
  }

  private open(): void {
    const Ctor = this.WebSocketImpl;
    if (!Ctor) {
      throw new StreamClientError(
        'NO_WEBSOCKET',
        'No WebSocket implementation: pass one, e.g. new StreamClient(url, { WebSocket }) with the ws package on Node 20',
      );
    }
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new Ctor(this.url);
    this.socket = socket;
    this.lastRaw = '';
    this.duplicatesExpected = 0;
    socket.onopen = () => this.handleOpen(socket);
    socket.onmessage = (event) => this.handleFrame(event.data);
    socket.onclose = () => this.handleClose(socket);
    socket.onerror = () => undefined; // a close event always follows; reconnection is handled there
  }

  private handleOpen(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    this.attempt = 0;
    this.setStatus('open');
    for (const channel of this.channels.values()) this.sendJoin(channel);
  }

  private handleClose(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    detach(socket);
    this.socket = null;
    if (this.statusValue === 'closed') return;
    if (this.backoff === null || this.channels.size === 0) {
      this.attempt = 0;
      this.setStatus('idle');
      return;
    }
    const { initialDelayMs, maxDelayMs, factor } = this.backoff;
    const base = Math.min(maxDelayMs, initialDelayMs * Math.pow(factor, this.attempt));
    this.attempt += 1;
    this.setStatus('reconnecting');
    // Jitter spreads reconnecting clients so a restarted engine is not hit all at once.
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.statusValue !== 'closed') this.open();
      },
      base * (0.5 + Math.random() * 0.5),
    );
  }

  private handleFrame(data: unknown): void {
    const raw = typeof data === 'string' ? data : decodeBinary(data);
    if (raw === null) return;
    // The server repeats an event once per matching subscription; drop the extra copies.
    if (this.duplicatesExpected > 0 && raw === this.lastRaw) {
      this.duplicatesExpected -= 1;
      return;
    }
    const message = parseMessage(raw);
    if (!message) return;
    const channels = this.channelsFor(message);
    this.lastRaw = raw;
    this.duplicatesExpected = isChange(message) ? Math.max(0, channels.length - 1) : 0;
    for (const channel of channels) {
      for (const local of [...channel.locals]) this.deliver(local, message);
    }
  }

  private channelsFor(message: StreamMessage): Channel[] {
    const own = this.channels.get(channelKey(message.streamName, message.groupId, message.id));
    if (!isChange(message) || message.id === null) return own ? [own] : [];
    const group = this.channels.get(channelKey(message.streamName, message.groupId, null));
    return [group, own].filter((c): c is Channel => c !== undefined);
  }

  private deliver(local: LocalSubscription, message: StreamMessage): void {
    const h = local.handlers;
    const event = message.event;
    try {
      switch (event.type) {
        case 'sync':
          local.settle(true);
          h.onSync?.(event.data, message);
          break;
        case 'create':
          h.onCreate?.(event.data, message.id, message);
          break;
        case 'update':
          h.onUpdate?.(event.data, message.id, message);
          break;
        case 'delete':
          h.onDelete?.(event.data, message.id, message);
          break;
        case 'event':
          h.onEvent?.(event.event.type, event.event.data, message);
          break;
        case 'unauthorized':
          local.settle(false);
          h.onUnauthorized?.(message);
          break;
      }
      h.onMessage?.(message);
    } catch (error) {
      this.reportError(error);
    }
  }

  private leaveLocal(channel: Channel, local: LocalSubscription): void {
    if (!channel.locals.delete(local)) return;
    local.settle(false);
    if (channel.locals.size > 0 || this.channels.get(channel.key) !== channel) return;
    this.channels.delete(channel.key);
    this.send({ type: 'leave', data: { ...joinData(channel), id: channel.item } });
  }

  private sendJoin(channel: Channel): void {
    const data: Record<string, string> = joinData(channel);
    if (channel.item !== null) data.id = channel.item;
    this.send({ type: 'join', data });
  }

  private send(frame: object): void {
    const socket = this.socket;
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.statusValue) return;
    this.statusValue = status;
    try {
      this.opts().onStatus?.(status);
    } catch (error) {
      this.reportError(error);
    }
  }

  private reportError(error: unknown): void {
    const onError = this.opts().onError;
    if (onError) onError(error);
    else console.error('[StreamClient] handler failed:', error);
  }
}

export interface LiveGroupOptions<T> {
  /** How to find an item's id inside a synced value. Default: its `id` property. */
  idOf?(item: T): string;
  onChange?(items: ReadonlyMap<string, T>, change: LiveGroupChange<T>): void;
}

export type LiveGroupChange<T> = { type: 'sync' } | { type: 'create' | 'update' | 'delete'; id: string; item: T };

/**
 * A live Map of a group's items: replaced on every sync (including the resync after a reconnect),
 * patched by create/update/delete.
 */
export class LiveGroup<T> {
  readonly items = new Map<string, T>();
  readonly subscription: StreamSubscription;

  constructor(client: StreamClient, target: { stream: string; group: string }, options: LiveGroupOptions<T> = {}) {
    const idOf = options.idOf ?? defaultIdOf;
    this.subscription = client.join<T>(
      { stream: target.stream, group: target.group },
      {
        onMessage: (message) => {
          const change = applyStreamMessage(this.items, message, idOf);
          if (change) options.onChange?.(this.items, change);
        },
      },
    );
  }

  values(): T[] {
    return [...this.items.values()];
  }

  leave(): void {
    this.subscription.leave();
  }
}

/** Applies one group frame to a Map of items; returns what changed, or null if nothing did. */
export function applyStreamMessage<T>(
  items: Map<string, T>,
  message: StreamMessage<T>,
  idOf: (item: T) => string = defaultIdOf,
): LiveGroupChange<T> | null {
  const event = message.event;
  if (event.type === 'sync') {
    items.clear();
    const values = Array.isArray(event.data) ? (event.data as T[]) : [];
    for (const value of values) {
      const id = safeId(idOf, value);
      if (id !== null) items.set(id, value);
    }
    return { type: 'sync' };
  }
  if (event.type !== 'create' && event.type !== 'update' && event.type !== 'delete') return null;
  const id = message.id ?? safeId(idOf, event.data);
  if (id === null) return null;
  if (event.type === 'delete') items.delete(id);
  else items.set(id, event.data);
  return { type: event.type, id, item: event.data };
}

function defaultIdOf<T>(item: T): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function safeId<T>(idOf: (item: T) => string, item: T): string | null {
  try {
    const id = idOf(item);
    return typeof id === 'string' && id !== '' ? id : null;
  } catch {
    return null;
  }
}

function channelKey(stream: string, group: string, item: string | null): string {
  // JSON keeps the parts unambiguous whatever characters the names contain.
  return JSON.stringify([stream, group, item]);
}

function joinData(channel: Channel): Record<string, string> {
  return { subscriptionId: channel.subscriptionId, streamName: channel.stream, groupId: channel.group };
}

function isChange(message: StreamMessage): boolean {
  const type = message.event.type;
  return type === 'create' || type === 'update' || type === 'delete' || type === 'event';
}

function parseMessage(raw: string): StreamMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Partial<StreamMessage> & { event?: { type?: unknown; event?: unknown } };
  if (!isNonEmptyString(m.streamName) || typeof m.groupId !== 'string') return null;
  if (typeof m.event !== 'object' || m.event === null || typeof m.event.type !== 'string') return null;
  if (m.event.type === 'event' && (typeof m.event.event !== 'object' || m.event.event === null)) return null;
  return { ...(m as StreamMessage), id: typeof m.id === 'string' ? m.id : null };
}

function decodeBinary(data: unknown): string | null {
  if (typeof TextDecoder === 'undefined') return null;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return new TextDecoder().decode(data as ArrayBuffer | ArrayBufferView);
  }
  return null; // e.g. a browser Blob: the stream server only sends text frames
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  // Keep a no-op error listener: `ws` throws on an 'error' event nobody listens to (e.g. close while connecting).
  socket.onerror = () => undefined;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function closedError(): StreamClientError {
  return new StreamClientError('CLIENT_CLOSED', 'This StreamClient was closed; create a new one');
}
