/**
 * `StreamClient`: one WebSocket to the iii stream port (engine.md §8.3), shared by Node code, tests and
 * browser pages; reconnects with backoff and re-joins. On the embedded engine, whose frames carry a
 * per-group `seq`, a re-join resumes: it asks for the events after the last one applied (`since`)
 * and gets exactly those, or a fresh sync marked `gap` when the server no longer has them all. On
 * an engine without `seq` (the real iii engine) every re-join gets a fresh sync.
 *
 * The client part imports nothing but the wire contract (`src/protocol`), so the build bundles it
 * into one browser script (`npm run build` → `dist/assets/stream-client.js`).
 *
 * Usage (Node 20 passes `ws`; browsers use their global WebSocket):
 *   const client = new StreamClient('ws://localhost:3112', { WebSocket });
 *   const todos = new LiveGroup<Todo>(client, { stream: 'todos-live', group: 'all' }, { onChange: render });
 *   client.join<Metrics>({ stream: 'todos-live', group: 'metrics', item: 'global' }, { onUpdate: show });
 *   ...
 *   client.close();
 */
import { parseStreamMessage, type ClientFrameOut, type StreamMessage } from '../protocol/stream';
import { closedError, StreamClientError } from './errors';
import {
  channelKey,
  dispatch,
  isChange,
  isNonEmptyString,
  type GroupHandlers,
  type ItemHandlers,
  type StreamHandlers,
  type StreamSubscription,
  type StreamTarget,
} from './messages';
import { decodeBinary, detach, OPEN, type WebSocketConstructor, type WebSocketLike } from './socket';

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

interface LocalSubscription {
  handlers: StreamHandlers<unknown, unknown>;
  settle(value: boolean): void;
  /** Whether it has received a sync (a subscriber without one needs a sync, not a resume). */
  synced: boolean;
}

/** One server-side subscription, shared by every local subscriber of the same target. */
interface Channel {
  key: string;
  subscriptionId: string;
  stream: string;
  group: string;
  item: string | null;
  locals: Set<LocalSubscription>;
  /** The seq of the last frame applied and the epoch of the last sync; null until a numbered sync. */
  position: { seq: number; epoch: string | undefined } | null;
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
      channel = { key, subscriptionId, stream: target.stream, group: target.group, item, locals: new Set(), position: null };
      this.channels.set(key, channel);
    }
    let settle: (value: boolean) => void = () => undefined;
    const synced = new Promise<boolean>((resolve) => (settle = resolve));
    const local: LocalSubscription = { handlers: handlers as StreamHandlers<unknown, unknown>, settle, synced: false };
    channel.locals.add(local);
    // A (re)join makes the server send a fresh sync, which also reaches the channel's earlier subscribers.
    this.sendJoin(channel, false);
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
    for (const channel of this.channels.values()) this.sendJoin(channel, true);
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
    const message = parseStreamMessage(raw);
    if (!message) return;
    const channels = this.channelsFor(message);
    this.lastRaw = raw;
    this.duplicatesExpected = isChange(message) ? Math.max(0, channels.length - 1) : 0;
    for (const channel of channels) {
      if (!advance(channel, message)) continue;
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
    try {
      if (message.event.type === 'sync') {
        local.synced = true;
        local.settle(true);
      } else if (message.event.type === 'unauthorized' || message.event.type === 'error') local.settle(false);
      dispatch(local.handlers, message);
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

  /**
   * `resume`: ask for the events after the channel's position instead of a fresh sync (only when
   * every local subscriber already has a sync to build on).
   */
  private sendJoin(channel: Channel, resume: boolean): void {
    const data: ClientFrameOut['data'] = joinData(channel);
    if (channel.item !== null) data.id = channel.item;
    if (resume && channel.position !== null && [...channel.locals].every((local) => local.synced)) {
      data.since = channel.position.seq;
      if (channel.position.epoch !== undefined) data.epoch = channel.position.epoch;
    }
    this.send({ type: 'join', data });
  }

  private send(frame: ClientFrameOut): void {
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

/**
 * Moves the channel's position to a numbered frame; `false` for a change the channel already
 * applied (a copy that reached it through a second subscription, e.g. in a replay).
 */
function advance(channel: Channel, message: StreamMessage): boolean {
  const seq = message.seq;
  if (typeof seq !== 'number') return true;
  if (message.event.type === 'sync') {
    channel.position = { seq, epoch: message.epoch };
    return true;
  }
  if (!isChange(message)) return true;
  if (channel.position !== null && seq <= channel.position.seq) return false;
  if (channel.position !== null) channel.position.seq = seq;
  return true;
}

function joinData(channel: Channel): { subscriptionId: string; streamName: string; groupId: string } {
  return { subscriptionId: channel.subscriptionId, streamName: channel.stream, groupId: channel.group };
}
