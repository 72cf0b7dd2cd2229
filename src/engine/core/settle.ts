/**
 * `settle()`: resolves once the engine has no work due. Each part that schedules work on its own
 * registers an idle probe: state-trigger cursors, the queue, the trigger dispatcher (fired
 * triggers whose handler has not returned) and the stream server (joins being answered, frames not
 * yet handed to a client's socket). Settling waits, turn by turn of the event loop, until every
 * probe reports idle on several consecutive turns — a reaction that writes state makes new work,
 * so one idle reading is not enough.
 */
import { EngineError } from './errors';

/** How many consecutive idle event-loop turns count as settled. */
const STABLE_TURNS = 3;

export class IdleProbes {
  private readonly probes = new Map<string, () => boolean>();

  add(name: string, isIdle: () => boolean): void {
    this.probes.set(name, isIdle);
  }

  /** The names of the probes that report work due right now. */
  busy(): string[] {
    const busy: string[] = [];
    for (const [name, isIdle] of this.probes) if (!isIdle()) busy.push(name);
    return busy;
  }

  /** Resolves when every probe reported idle for a few turns in a row; rejects after `timeoutMs`. */
  async settle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let idleTurns = 0;
    while (idleTurns < STABLE_TURNS) {
      await nextTurn();
      const busy = this.busy();
      idleTurns = busy.length === 0 ? idleTurns + 1 : 0;
      if (idleTurns === 0 && Date.now() > deadline) {
        throw new EngineError('settle_timeout', `the engine did not settle within ${timeoutMs} ms (busy: ${busy.join(', ')})`);
      }
      // Busy on a worker round trip: let I/O in rather than spinning on immediates.
      if (idleTurns === 0) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
