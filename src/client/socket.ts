/** The WebSocket the client drives: the browser's global and the `ws` package both fit. */

/** Minimal structural view of a WebSocket. */
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

/** A WebSocket class: the browser's `WebSocket`, or `ws`'s on Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket. */
export const OPEN = 1;

/** Text of a binary frame, or null when it cannot be read here (e.g. a browser Blob). */
export function decodeBinary(data: unknown): string | null {
  if (typeof TextDecoder === 'undefined') return null;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return new TextDecoder().decode(data as ArrayBuffer | ArrayBufferView);
  }
  return null; // the stream server only sends text frames
}

/** Unhooks a socket the client is done with. */
export function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  // Keep a no-op error listener: `ws` throws on an 'error' event nobody listens to (e.g. close while connecting).
  socket.onerror = () => undefined;
}
