/**
 * The fake clock of `createTestApp`: the embedded engine's cron, queue retries and reaction
 * backoff run on it, so a test moves time with `tick(ms)` instead of waiting. Between timers it
 * lets the engine settle, so whatever a timer starts (a cron run, a retried reaction and the
 * writes it makes) has happened before the next timer fires and before `tick` resolves.
 */
export interface TestClock {
  /** Milliseconds since the epoch, as the engine sees them. */
  now(): number;
  /** Moves time forward by `ms`, firing due timers in time order; resolves once the engine settled. */
  tick(ms: number): Promise<void>;
  /** Timers waiting to fire (cron jobs, retries). */
  readonly pendingTimers: number;
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

export class ManualClock implements TestClock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();
  /** Set once the engine is up: `tick` waits for it between timers. */
  settle: () => Promise<void> = () => Promise.resolve();

  constructor(start: Date | number = Date.parse('2030-01-01T00:00:00.000Z')) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): object {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimeout(handle: object): void {
    this.timers.delete((handle as { id: number }).id);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  async tick(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`tick(ms) needs a finite, non-negative number (got ${ms})`);
    const target = this.current + ms;
    await this.settle();
    for (;;) {
      let due: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.id < due.id))) due = timer;
      }
      if (due === undefined) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await this.settle();
    }
    this.current = target;
    await this.settle();
  }
}
