import { systemClock, type Clock, type TimerHandle } from './clock';

/**
 * Waits for `work`, but no longer than `ms`: settles with `work`'s outcome, or, when `ms` passes
 * first, with what `onExpiry` returns (a value resolves, a throw rejects). The timer is cleared
 * either way, so nothing keeps the process alive; `work` itself goes on (its late outcome is
 * ignored). The engine's bounded waits (auth calls, cleanups on close, evictions) all use this
 * instead of hand-rolling a timer and a race.
 */
export async function withDeadline<T, E = undefined>(
  work: Promise<T>,
  ms: number,
  onExpiry: () => E = () => undefined as E,
  clock: Clock = systemClock,
): Promise<T | E> {
  let timer: TimerHandle | undefined;
  const expired = new Promise<E>((resolve, reject) => {
    timer = clock.setTimeout(() => {
      try {
        resolve(onExpiry());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}
