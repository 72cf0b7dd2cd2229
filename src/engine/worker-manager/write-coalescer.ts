import type { Duplex } from 'node:stream';

/**
 * Coalesces the frames written to one socket during a tick into a single `writev`: the first
 * write of a tick corks the socket and a `nextTick` uncorks it. Under load (many concurrent
 * invocations) this turns one syscall per frame into one per tick; a lone frame is only delayed
 * until the current tick's microtasks finish.
 */
export class WriteCoalescer {
  private corked = false;
  private readonly release = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  constructor(private readonly socket: Duplex) {}

  /** Call before writing a frame. */
  hold(): void {
    if (this.corked || this.socket.destroyed) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.release);
  }
}
