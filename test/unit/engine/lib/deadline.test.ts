import { withDeadline } from '../../../../src/engine/lib/deadline';
import { FakeClock } from '../../../fakes/fake-clock';

describe('withDeadline', () => {
  it('settles with the work when it finishes first, and clears its timer', async () => {
    const clock = new FakeClock();
    await expect(withDeadline(Promise.resolve(7), 1_000, () => 'late', clock)).resolves.toBe(7);
    expect(clock.pendingTimers).toBe(0);
    await expect(withDeadline(Promise.reject(new Error('boom')), 1_000, () => 'late', clock)).rejects.toThrow('boom');
    expect(clock.pendingTimers).toBe(0);
  });

  it('resolves with what onExpiry returns once the time is up', async () => {
    const clock = new FakeClock();
    let outcome: unknown = 'pending';
    void withDeadline(new Promise<never>(() => undefined), 1_000, () => 'expired', clock).then((v) => (outcome = v));
    await clock.advance(999);
    expect(outcome).toBe('pending');
    await clock.advance(1);
    expect(outcome).toBe('expired');
  });

  it('rejects with what onExpiry throws', async () => {
    const clock = new FakeClock();
    const waiting = withDeadline(
      new Promise<never>(() => undefined),
      50,
      () => {
        throw new Error('no answer within 50ms');
      },
      clock,
    );
    const caught = waiting.catch((e: Error) => e.message);
    await clock.advance(50);
    expect(await caught).toBe('no answer within 50ms');
  });

  it('defaults to resolving undefined, on the system clock', async () => {
    await expect(withDeadline(new Promise<never>(() => undefined), 5)).resolves.toBeUndefined();
  });

  it('ignores a late failure of the work after the deadline', async () => {
    const clock = new FakeClock();
    let fail: (e: Error) => void = () => undefined;
    const work = new Promise<never>((_, reject) => (fail = reject));
    const waiting = withDeadline(work, 10, () => 'expired', clock);
    await clock.advance(10);
    fail(new Error('too late'));
    await expect(waiting).resolves.toBe('expired');
  });
});
