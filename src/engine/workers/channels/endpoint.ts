/**
 * `GET /ws/channels/{channel_id}?key=<access_key>&dir=read|write` on every worker-manager listener
 * (engine.md §10): refuses bad queries (400) and unknown channels or keys (404 `Channel not found`)
 * before the upgrade, then joins the socket to one end of the channel.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { EngineLogger } from '../../core/types';
import type { Channel, ChannelItem } from './channel';
import type { ChannelRegistry } from './registry';

const PREFIX = '/ws/channels/';
/** Largest single frame accepted from a writer (the SDK sends 64 KiB binary frames). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Bytes a reader socket may have unsent before we wait for it to flush (back-pressure). */
const READER_HIGH_WATER = 1024 * 1024;

export interface ChannelEndpointOptions {
  /** How long frames are still accepted after a writer's Close (engine.md §10: 10 ms). */
  drainMs?: number;
}

function refuse(socket: Duplex, status: string, body = ''): void {
  const length = Buffer.byteLength(body);
  const type = length > 0 ? 'Content-Type: text/plain; charset=utf-8\r\n' : '';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${length}\r\n\r\n${body}`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class ChannelEndpoint {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly drainTimers = new Set<NodeJS.Timeout>();
  private readonly drainMs: number;
  private closed = false;

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly logger: EngineLogger,
    options: ChannelEndpointOptions = {},
  ) {
    this.drainMs = options.drainMs ?? 10;
  }

  /** The `UpgradeHandler` the worker serves through its context (one shared function). */
  readonly handle = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const id = url.pathname.slice(PREFIX.length);
    const key = url.searchParams.get('key');
    const dir = url.searchParams.get('dir');
    if (key === null || (dir !== 'read' && dir !== 'write')) {
      refuse(socket, '400 Bad Request', 'Invalid query: expected key=<access_key>&dir=read|write');
      return true;
    }
    const channel = this.closed ? undefined : this.registry.find(id, key);
    if (channel === undefined) {
      refuse(socket, '404 Not Found', 'Channel not found');
      return true;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', (err) => this.logger.debug('channel socket error', { channel_id: id, error: err.message }));
      if (dir === 'write') this.attachWriter(ws, channel);
      else this.attachReader(ws, channel);
    });
    return true;
  };

  /** Closes every channel socket at once (listeners wait for upgraded sockets). Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.drainTimers) clearTimeout(timer);
    this.drainTimers.clear();
    for (const ws of this.server.clients) ws.terminate();
    this.server.close();
  }

  /** Frames in, items out; the socket pauses while the queue is full (back-pressure). */
  private attachWriter(ws: WebSocket, channel: Channel): void {
    const wake = (): void => {
      if (channel.readerGone) ws.close();
      else if (!channel.full && ws.isPaused) ws.resume();
    };
    if (!channel.claimWriter(wake)) {
      ws.close();
      return;
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      const item: ChannelItem = isBinary ? { kind: 'binary', data: bytes } : { kind: 'text', text: bytes.toString('utf8') };
      if (!channel.write(item)) ws.close();
      else if (channel.full) ws.pause();
    });
    ws.on('close', () => {
      channel.setWriterWake(null);
      if (this.drainMs <= 0 || this.closed) {
        channel.endWrite();
        return;
      }
      // The real engine keeps reading for 10 ms after a Close; ws has delivered every frame sent
      // before the Close by now, so this only keeps the reader's end-of-stream timing faithful.
      const timer = setTimeout(() => {
        this.drainTimers.delete(timer);
        channel.endWrite();
      }, this.drainMs);
      this.drainTimers.add(timer);
    });
  }

  /** Items in, frames out, then a Close at end-of-stream; waits while the socket is backed up. */
  private attachReader(ws: WebSocket, channel: Channel): void {
    let waitingForFlush = false;
    const onSent = (): void => {
      if (!waitingForFlush) return;
      waitingForFlush = false;
      pump();
    };
    const pump = (): void => {
      while (ws.readyState === WebSocket.OPEN) {
        if (ws.bufferedAmount > READER_HIGH_WATER) {
          waitingForFlush = true;
          return;
        }
        const item = channel.read();
        if (item === undefined) return;
        if (item === null) {
          ws.close();
          return;
        }
        if (item.kind === 'text') ws.send(item.text, onSent);
        else ws.send(item.data, { binary: true }, onSent);
      }
    };
    if (!channel.claimReader(pump)) {
      ws.close();
      return;
    }
    ws.on('close', () => channel.endRead());
    pump();
  }
}
