import { FrameworkError } from '../errors';
import type { EmbeddedEngineOptions } from './engine-connection';

/** The embedded engine's listeners, their default ports and the variable the reference setup reads for each. */
const LISTENERS = [
  { key: 'http', what: 'REST listener (iii-http)', fallback: 3111, variable: 'PORT (or III_HTTP_PORT)' },
  { key: 'stream', what: 'stream WebSocket listener (iii-stream)', fallback: 3112, variable: 'III_STREAM_PORT' },
  { key: 'worker', what: 'worker-protocol listener', fallback: 49134, variable: 'III_WORKER_PORT' },
] as const;

interface ListenError {
  code?: unknown;
  port?: unknown;
  address?: unknown;
  cause?: unknown;
}

/** The `EADDRINUSE` error behind `error` (its cause chain included), if there is one. */
function addressInUse(error: unknown): ListenError | undefined {
  for (
    let e = error as ListenError | undefined, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = e.cause as ListenError, depth++
  ) {
    if (typeof e === 'object' && e.code === 'EADDRINUSE') return e;
  }
  return undefined;
}

/**
 * `listen EADDRINUSE 127.0.0.1:3111` says nothing about what to change: name the listener and the
 * variable that moves it. `undefined` when `error` is not a port conflict.
 */
export function portInUseError(error: unknown, options: EmbeddedEngineOptions): FrameworkError | undefined {
  const cause = addressInUse(error);
  if (cause === undefined) return undefined;
  const port = typeof cause.port === 'number' ? cause.port : undefined;
  const ports = (options.ports ?? {}) as Partial<Record<'http' | 'stream' | 'worker', number>>;
  const listener = LISTENERS.find((l) => (ports[l.key] ?? l.fallback) === port);
  const where = `${port ?? '?'}${typeof cause.address === 'string' ? ` on ${cause.address}` : ''}`;
  const which =
    listener !== undefined
      ? `the embedded engine's ${listener.what} cannot start. Set ${listener.variable} to a free port`
      : 'the embedded engine cannot start. Choose free ports';
  return new FrameworkError(
    'PORT_IN_USE',
    `Port ${where} is already in use: ${which}, or stop the process using it ` +
      `(PORT / III_HTTP_PORT for REST, III_STREAM_PORT for streams, III_WORKER_PORT for workers; in code, the engine.ports option of IIIFactory.create).`,
  );
}
