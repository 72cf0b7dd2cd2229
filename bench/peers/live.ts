/**
 * The peers' live push: a `ws` server whose clients get the todo list on connect, then every
 * change as one JSON message serialized once and sent to each open client (the `ws` README's
 * broadcast loop).
 */
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export class LiveBroadcaster {
  private readonly wss: WebSocketServer;

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
  }

  /** Listens on a free loopback port; `snapshot` is what a new client receives first. */
  static async listen(snapshot: () => unknown): Promise<LiveBroadcaster> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => socket.send(JSON.stringify({ type: 'sync', data: snapshot() })));
    return new LiveBroadcaster(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  broadcast(message: unknown): void {
    const data = JSON.stringify(message);
    for (const client of this.wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data);
  }
}

/** Every peer announces its URLs on stdout in this form; the bench waits for it. */
export function announce(urls: { http: string; stream?: string }): void {
  console.log(`READY ${JSON.stringify(urls)}`);
}
