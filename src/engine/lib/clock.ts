/**
 * The time seam of the schedulers (`iii-cron`, `iii-queue`): wall-clock reads and one-shot
 * timers. Production uses the system clock; unit tests pass a fake one they advance by hand, so
 * no test waits for real seconds.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's `setTimeout` returned; opaque to its users. */
export type TimerHandle = object;

/** Node's timers cap delays at 2^31-1 ms (~24.8 days); longer waits are re-armed in steps. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, Math.min(Math.max(0, delayMs), MAX_TIMER_DELAY_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The system clock with timers that do not keep the process alive by themselves: for deadlines on
 * work a client connection is waiting for (the connection's socket keeps the process alive while it
 * matters), so a stopped engine does not linger until an abandoned wait expires.
 */
export const backgroundClock: Clock = {
  now: systemClock.now,
  setTimeout: (callback, delayMs) => (systemClock.setTimeout(callback, delayMs) as NodeJS.Timeout).unref(),
  clearTimeout: systemClock.clearTimeout,
};
