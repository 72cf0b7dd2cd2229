/**
 * `settleByObserving`: what `app.settle()` does on an engine without `engine::settle`, driven
 * with a scripted engine (round trips) and handler calls.
 */
import { FrameworkError } from '../../../../src/framework/errors';
import { settleByObserving, type SettleObservables } from '../../../../src/framework/application/settle';

/** Handler calls that arrive during given round trips (1-based); each finishes before the drain resolves. */
function scripted(arrivals: number[]): SettleObservables & { roundTrips: number } {
  let started = 0;
  const state = {
    roundTrips: 0,
    roundTrip: async () => {
      state.roundTrips++;
      started += arrivals.filter((n) => n === state.roundTrips).length;
    },
    callsStarted: () => started,
    drain: async () => true,
  };
  return state;
}

describe('settleByObserving', () => {
  it('resolves after two round trips in a row with no call of this process', async () => {
    const observe = scripted([]);
    await settleByObserving(observe, 1_000);
    expect(observe.roundTrips).toBe(2);
  });

  it('starts counting again whenever a call arrived during a round trip', async () => {
    const observe = scripted([1, 3, 3]);
    await settleByObserving(observe, 1_000);
    // 1 busy, 2 quiet, 3 busy, 4 and 5 quiet.
    expect(observe.roundTrips).toBe(5);
  });

  it('rejects with SETTLE_TIMEOUT when a handler call never finishes', async () => {
    const observe = { ...scripted([]), drain: async () => false };
    await expect(settleByObserving(observe, 50)).rejects.toEqual(expect.objectContaining({ code: 'SETTLE_TIMEOUT' }));
    await expect(settleByObserving(observe, 50)).rejects.toBeInstanceOf(FrameworkError);
  });

  it('rejects with SETTLE_TIMEOUT when calls keep arriving past the deadline', async () => {
    const observe = scripted(Array.from({ length: 10_000 }, (_, i) => i + 1));
    const slowTrip = observe.roundTrip;
    observe.roundTrip = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await slowTrip(1_000);
    };
    await expect(settleByObserving(observe, 60)).rejects.toEqual(expect.objectContaining({ code: 'SETTLE_TIMEOUT' }));
  });
});
