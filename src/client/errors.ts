/** Misuse of a `StreamClient`, with a stable `code`. */
export class StreamClientError extends Error {
  constructor(
    readonly code: 'NO_WEBSOCKET' | 'CLIENT_CLOSED' | 'INVALID_TARGET',
    message: string,
  ) {
    super(message);
    this.name = 'StreamClientError';
  }
}

export function closedError(): StreamClientError {
  return new StreamClientError('CLIENT_CLOSED', 'This StreamClient was closed; create a new one');
}
