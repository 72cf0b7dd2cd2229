import { EngineError } from './errors';
import { SlotTable } from './slot-table';

interface PendingInvocation {
  readonly functionId: string;
  /** The connection executing it. */
  readonly targetWorkerId: string;
  /** The connection that asked for it, if a worker did. */
  readonly callerWorkerId?: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: EngineError) => void;
}

/**
 * Invocations sent to worker connections and not answered yet. There is deliberately no engine
 * timeout (engine.md §4.5); an entry ends with the worker's result or when either side disconnects.
 * Ids the engine makes (most: every HTTP request's) live in a `SlotTable`; ids a caller chose,
 * reused when free (engine.md §4.8), in a map.
 */
export class InvocationTable {
  private readonly engineMade = new SlotTable<PendingInvocation>();
  private readonly chosen = new Map<string, PendingInvocation>();

  has(invocationId: string): boolean {
    return this.engineMade.get(invocationId) !== undefined || this.chosen.has(invocationId);
  }

  /**
   * Records an invocation under `requestedId` when one is given and not pending, else under a fresh
   * id; returns the id it is recorded under.
   */
  add(entry: PendingInvocation, requestedId?: string): string {
    if (requestedId !== undefined && !this.has(requestedId)) {
      this.chosen.set(requestedId, entry);
      return requestedId;
    }
    let id = '';
    this.engineMade.add((fresh) => {
      id = fresh;
      return entry;
    });
    return id;
  }

  /**
   * Settles an invocation with a worker's result. Only the connection it was sent to may answer;
   * unknown or late results are dropped (returns false).
   */
  settle(invocationId: string, fromWorkerId: string, outcome: { result?: unknown; error?: EngineError }): boolean {
    const entry = this.engineMade.get(invocationId) ?? this.chosen.get(invocationId);
    if (entry === undefined || entry.targetWorkerId !== fromWorkerId) return false;
    this.forget(invocationId);
    if (outcome.error !== undefined) entry.reject(outcome.error);
    else entry.resolve(outcome.result);
    return true;
  }

  /** Halts everything a connection was executing or had initiated (engine.md §4.4). */
  haltFor(workerId: string): number {
    return this.halt((entry) => entry.targetWorkerId === workerId || entry.callerWorkerId === workerId);
  }

  activeFor(workerId: string): number {
    let count = 0;
    for (const [, entry] of this.pending()) if (entry.targetWorkerId === workerId) count += 1;
    return count;
  }

  haltAll(): void {
    this.halt(() => true);
  }

  private halt(matches: (entry: PendingInvocation) => boolean): number {
    let halted = 0;
    for (const [id, entry] of this.pending()) {
      if (!matches(entry)) continue;
      this.forget(id);
      entry.reject(new EngineError('invocation_stopped', 'Invocation stopped'));
      halted += 1;
    }
    return halted;
  }

  private forget(invocationId: string): void {
    if (this.engineMade.delete(invocationId) === undefined) this.chosen.delete(invocationId);
  }

  /** Every pending invocation with its id, as a copy (settling while iterating is safe). */
  private pending(): Array<[string, PendingInvocation]> {
    const all = this.engineMade.entries();
    for (const pair of this.chosen) all.push(pair);
    return all;
  }
}
