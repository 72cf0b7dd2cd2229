import { EngineError } from './errors';

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
 */
export class InvocationTable {
  private readonly pending = new Map<string, PendingInvocation>();

  has(invocationId: string): boolean {
    return this.pending.has(invocationId);
  }

  add(invocationId: string, entry: PendingInvocation): void {
    this.pending.set(invocationId, entry);
  }

  /**
   * Settles an invocation with a worker's result. Only the connection it was sent to may answer;
   * unknown or late results are dropped (returns false).
   */
  settle(invocationId: string, fromWorkerId: string, outcome: { result?: unknown; error?: EngineError }): boolean {
    const entry = this.pending.get(invocationId);
    if (entry === undefined || entry.targetWorkerId !== fromWorkerId) return false;
    this.pending.delete(invocationId);
    if (outcome.error !== undefined) entry.reject(outcome.error);
    else entry.resolve(outcome.result);
    return true;
  }

  /** Halts everything a connection was executing or had initiated (engine.md §4.4). */
  haltFor(workerId: string): number {
    let halted = 0;
    for (const [id, entry] of this.pending) {
      if (entry.targetWorkerId === workerId || entry.callerWorkerId === workerId) {
        this.pending.delete(id);
        entry.reject(new EngineError('invocation_stopped', 'Invocation stopped'));
        halted += 1;
      }
    }
    return halted;
  }

  activeFor(workerId: string): number {
    let count = 0;
    for (const entry of this.pending.values()) if (entry.targetWorkerId === workerId) count += 1;
    return count;
  }

  haltAll(): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(new EngineError('invocation_stopped', 'Invocation stopped'));
    }
  }
}
