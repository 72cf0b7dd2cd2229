/**
 * Helpers for the security suite: raw WebSocket handshakes whose close code and reason can be
 * read, and a logger that records what the engine says.
 */
import WebSocket from 'ws';
import type { EngineLogger } from '../../src/engine';
import type { IIIApplication } from '../../src/framework';
import { bootstrap, type BootstrapOptions } from '../../src/main';

export interface Closed {
  code: number;
  reason: string;
}

/** Opens a socket with these handshake headers and resolves how the server closed it. */
export function closeOf(url: string, headers: Record<string, string> = {}): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('error', reject);
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Opens a socket and resolves once it is open (rejects on a refusal). */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
}

/** An engine logger that keeps every line (level and message). */
export function recordingLogger(): EngineLogger & { lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push(`${level} ${message}`);
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The reference app as `npm start` runs it (secure defaults), on memory storage and free loopback ports. */
export async function startSecureApp(
  options: BootstrapOptions = {},
): Promise<{ app: IIIApplication; http: string; stream: string; close(): Promise<void> }> {
  const app = await bootstrap({ host: '127.0.0.1', logger: false, ephemeralPorts: true, storage: 'memory', ...options });
  const http = (app.urls.http ?? '').replace(/\/$/, '');
  return { app, http, stream: app.urls.stream ?? '', close: () => app.close() };
}
