import type { Server } from 'node:http';

/** Where an engine listener is in its life. */
export type ListenerState = 'IDLE' | 'RUNNING' | 'CLOSING' | 'CLOSED';

/**
 * The lifecycle the engine's listeners share (the worker port, the REST API, the stream port):
 * IDLE → RUNNING once bound → CLOSING → CLOSED. A listener serves requests and upgrades only
 * while `running` (a closing one answers 503); `close()` runs the listener's own shutdown once,
 * and every caller awaits that one run.
 */
export class ListenerLifecycle {
  private current: ListenerState = 'IDLE';
  private binding = false;
  private closing: Promise<void> | undefined;

  /** `name` prefixes the errors (`iii-stream: already started`). */
  constructor(private readonly name: string) {}

  get state(): ListenerState {
    return this.current;
  }

  get running(): boolean {
    return this.current === 'RUNNING';
  }

  /** Binds `server` to `host:port` (0: any free port); RUNNING once bound. Only once, and never after `close()`. */
  async listen(server: Server, port: number, host: string): Promise<void> {
    if (this.current !== 'IDLE' || this.binding || this.closing !== undefined) throw new Error(`${this.name}: already started`);
    this.binding = true;
    try {
      await listenOn(server, port, host);
    } finally {
      this.binding = false;
    }
    // A close() that began while binding owns the server now: it stays CLOSING/CLOSED.
    if (this.closing === undefined) this.current = 'RUNNING';
  }

  /**
   * Runs `shutdown` once; later calls return the same promise. `wasRunning` says whether the
   * listener was serving (false: never bound, or its bind failed). CLOSED when `shutdown` settles.
   */
  close(shutdown: (wasRunning: boolean) => Promise<void>): Promise<void> {
    this.closing ??= this.runShutdown(shutdown);
    return this.closing;
  }

  private async runShutdown(shutdown: (wasRunning: boolean) => Promise<void>): Promise<void> {
    const wasRunning = this.current === 'RUNNING';
    this.current = 'CLOSING';
    try {
      await shutdown(wasRunning);
    } finally {
      this.current = 'CLOSED';
    }
  }
}

/** `server.listen(port, host)` as a promise that rejects with the bind error (EADDRINUSE, EACCES, ...). */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * `scheme://host:port` of a bound server, as a client can dial it: a wildcard bind (`0.0.0.0`,
 * `::`) is reported as the loopback of its family, an IPv6 host in brackets. Undefined when unbound.
 */
export function dialableUrl(scheme: 'ws' | 'http', server: Server): string | undefined {
  const address = server.address();
  if (address === null || typeof address === 'string') return undefined;
  return `${scheme}://${dialableHost(address.address)}:${address.port}`;
}

/** A bind address a client can dial: wildcards become loopback; IPv6 in brackets. */
export function dialableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
