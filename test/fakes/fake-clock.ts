import { ManualClock } from '../../src/framework/testing/manual-clock';

/**
 * The framework's test clock for engine worker tests that run without an engine to settle:
 * between timers it lets pending promise chains run instead. `advance(ms)` is `tick(ms)`.
 */
export class FakeClock extends ManualClock {
  constructor(startIso = '2025-01-01T00:00:00.000Z') {
    super(Date.parse(startIso));
    this.settle = () => settle();
  }

  advance(ms: number): Promise<void> {
    return this.tick(ms);
  }
}

/** Lets pending promise chains (microtasks and immediates) run to completion. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
