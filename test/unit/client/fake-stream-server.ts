import { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A fake of the iii stream port (engine.md §8.3), small enough to read in one go: it stores groups in
 * memory, answers joins with a sync, and broadcasts events once per matching subscription of each
 * connection (duplicates included, like the real server). Tests drive it directly.
 */
export interface JoinFrame {
  type: 'join' | 'leave';
  data: { subscriptionId: string; streamName: string; groupId: string; id?: string | null };
}

interface Subscription {
  streamName: string;
  groupId: string;
  id: string | null;
}

export class FakeStreamServer {
  readonly frames: JoinFrame[] = [];
  readonly unauthorizedGroups = new Set<string>();
  private readonly groups = new Map<string, Map<string, unknown>>();
  private readonly subs = new Map<WebSocket, Map<string, Subscription>>();
  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<FakeStreamServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new FakeStreamServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/`;
  }

  get connections(): number {
    return this.subs.size;
  }

  subscriptionCount(): number {
    let n = 0;
    for (const subs of this.subs.values()) n += subs.size;
    return n;
  }

  /** Stores a value without telling anyone (as if written while a client was away). */
  put(stream: string, group: string, id: string, value: unknown): void {
    this.group(stream, group).set(id, value);
  }

  remove(stream: string, group: string, id: string): void {
    this.group(stream, group).delete(id);
  }

  set(stream: string, group: string, id: string, value: unknown): void {
    const existed = this.group(stream, group).has(id);
    this.put(stream, group, id, value);
    this.broadcast(stream, group, id, { type: existed ? 'update' : 'create', data: value });
  }

  delete(stream: string, group: string, id: string): void {
    const old = this.group(stream, group).get(id);
    this.remove(stream, group, id);
    this.broadcast(stream, group, id, { type: 'delete', data: old });
  }

  broadcast(stream: string, group: string, id: string | null, event: object): void {
    const frame = JSON.stringify(envelope(stream, group, id, event));
    for (const [socket, subs] of this.subs) {
      for (const sub of subs.values()) {
        const matches = sub.streamName === stream && sub.groupId === group && (sub.id === null || sub.id === id);
        if (matches) socket.send(frame);
      }
    }
  }

  sendRaw(data: string | Buffer): void {
    for (const socket of this.subs.keys()) socket.send(data);
  }

  /** Cuts every connection abruptly, as a crashed or restarted engine would. */
  dropAll(): void {
    for (const socket of this.subs.keys()) socket.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.subs.keys()) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.subs.set(socket, new Map());
    socket.on('close', () => this.subs.delete(socket));
    socket.on('message', (raw) => this.handle(socket, String(raw)));
  }

  private handle(socket: WebSocket, raw: string): void {
    const frame = JSON.parse(raw) as JoinFrame;
    this.frames.push(frame);
    const { subscriptionId, streamName, groupId } = frame.data;
    const id = frame.data.id ?? null;
    const subs = this.subs.get(socket);
    if (!subs) return;
    if (frame.type === 'leave') {
      subs.delete(subscriptionId);
      return;
    }
    if (this.unauthorizedGroups.has(groupId)) {
      socket.send(JSON.stringify(envelope(streamName, groupId, id, { type: 'unauthorized' })));
      return;
    }
    subs.set(subscriptionId, { streamName, groupId, id });
    const items = this.group(streamName, groupId);
    const data = id === null ? [...items.values()] : (items.get(id) ?? null);
    socket.send(JSON.stringify(envelope(streamName, groupId, id, { type: 'sync', data })));
  }

  private group(stream: string, group: string): Map<string, unknown> {
    const key = `${stream}\u0000${group}`;
    let items = this.groups.get(key);
    if (!items) {
      items = new Map();
      this.groups.set(key, items);
    }
    return items;
  }
}

function envelope(streamName: string, groupId: string, id: string | null, event: object): object {
  return { type: 'stream', timestamp: Date.now(), streamName, groupId, id, event };
}
