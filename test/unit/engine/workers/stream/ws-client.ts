/** A raw `ws` test client for the stream port: collects parsed frames and awaits them. */
import WebSocket from 'ws';
import { waitFor } from '../../../../support/wait';

export type Frame = Record<string, unknown> & { event: Record<string, unknown> };

export class StreamTestClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => this.frames.push(JSON.parse(String(raw)) as Frame));
    socket.on('close', (code) => (this.closeCode = code));
    socket.on('error', () => undefined);
  }

  static open(url: string, options?: WebSocket.ClientOptions): Promise<StreamTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new StreamTestClient(socket)));
      socket.once('error', reject);
    });
  }

  join(subscriptionId: string, streamName: string, groupId: string, id?: string): void {
    this.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName, groupId, ...(id === undefined ? {} : { id }) } }));
  }

  /** A group join that resumes after `since` (`epoch` as the last sync carried it). */
  resume(subscriptionId: string, streamName: string, groupId: string, resume: { since: unknown; epoch?: unknown }): void {
    this.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName, groupId, ...resume } }));
  }

  leave(subscriptionId: string, streamName: string, groupId: string): void {
    this.socket.send(JSON.stringify({ type: 'leave', data: { subscriptionId, streamName, groupId, id: null } }));
  }

  /** Resolves once `count` frames in total have arrived. */
  async received(count: number, timeoutMs = 5000): Promise<Frame[]> {
    await waitFor(() => this.frames.length >= count, timeoutMs);
    return this.frames.slice(0, count);
  }

  async closed(timeoutMs = 5000): Promise<number> {
    await waitFor(() => this.closeCode !== undefined, timeoutMs);
    return this.closeCode as number;
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.terminate();
    });
  }
}
