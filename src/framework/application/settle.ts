/**
 * `app.settle()` on an engine the application does not own. The embedded engine answers
 * `engine::settle` (detected through `engine::capabilities`) and knows exactly when nothing is
 * due. A real iii engine has no such function, so the framework waits on what it can observe:
 * round trips to the engine and the handler calls this process is running. It resolves once a
 * few round trips in a row passed with no call of this process running or arriving: the reactions
 * this process runs to the writes made before `settle()` (the engine sends them before it answers
 * a later round trip) have finished, and so have the writes they made. Work on other workers, or
 * a trigger the engine delays beyond a round trip, is out of its sight.
 */
import { FrameworkError } from '../errors';

/** Round trips in a row without a call of this process running or arriving. */
const QUIET_ROUNDS = 2;

/** What the observing settle needs: an engine round trip and this process's handler calls. */
export interface SettleObservables {
  /** A call the engine answers after everything this worker sent before it. */
  roundTrip(timeoutMs: number): Promise<unknown>;
  /** Handler calls started so far (a counter that only grows). */
  callsStarted(): number;
  /** Resolves `true` once no handler call is running, `false` after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

export async function settleByObserving(observe: SettleObservables, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  const timedOut = (): FrameworkError =>
    new FrameworkError('SETTLE_TIMEOUT', `settle(): this process kept receiving or running handler calls for ${timeoutMs} ms`);
  let quiet = 0;
  while (quiet < QUIET_ROUNDS) {
    const started = observe.callsStarted();
    await observe.roundTrip(remaining());
    if (!(await observe.drain(remaining()))) throw timedOut();
    quiet = observe.callsStarted() === started ? quiet + 1 : 0;
    if (quiet < QUIET_ROUNDS && Date.now() > deadline) throw timedOut();
  }
}
