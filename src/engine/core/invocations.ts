import { EngineError } from './errors';
import { idPrefix, newIdWithPrefix } from './ids';

interface PendingInvocation {
  readonly functionId: string;
  /** The connection executing it. */
  readonly targetWorkerId: string;
  /** The connection that asked for it, if a worker did. */
  readonly callerWorkerId?: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: EngineError) => void;
}

/** Initial slots of the table of engine-made ids (it doubles whenever it is half full, and never shrinks). */
const INITIAL_SLOTS = 256;

/**
 * Invocations sent to worker connections and not answered yet. There is deliberately no engine
 * timeout (engine.md §4.5); an entry ends with the worker's result or when either side disconnects.
 *
 * Ids the engine makes (most: every HTTP request's) carry a number in their first 32 bits
 * (`newIdWithPrefix`) that is their place in an array, so recording and settling one costs an array
 * slot instead of a map entry (a fresh 36-character id is hashed on every map access, and a map
 * that gains and loses an entry per request keeps rehashing). Ids a caller chose, reused when free
 * (engine.md §4.8), live in a map.
 */
export class InvocationTable {
  private slots: Array<PendingInvocation | undefined> = new Array<PendingInvocation | undefined>(INITIAL_SLOTS).fill(undefined);
  /** The id of each slot's invocation (parallel to `slots`). */
  private slotIds: Array<string | undefined> = new Array<string | undefined>(INITIAL_SLOTS).fill(undefined);
  private slotCount = 0;
  private nextSlot = 0;
  private readonly chosen = new Map<string, PendingInvocation>();

  has(invocationId: string): boolean {
    return this.slotOf(invocationId) >= 0 || this.chosen.has(invocationId);
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
    if ((this.slotCount + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    let slot = this.nextSlot;
    // Skip numbers whose place is taken (a long-running invocation, or the numbers wrapping after 2^32).
    while (this.slots[slot & mask] !== undefined) slot = (slot + 1) >>> 0;
    this.nextSlot = (slot + 1) >>> 0;
    const id = newIdWithPrefix(slot);
    this.slots[slot & mask] = entry;
    this.slotIds[slot & mask] = id;
    this.slotCount++;
    return id;
  }

  /**
   * Settles an invocation with a worker's result. Only the connection it was sent to may answer;
   * unknown or late results are dropped (returns false).
   */
  settle(invocationId: string, fromWorkerId: string, outcome: { result?: unknown; error?: EngineError }): boolean {
    const slot = this.slotOf(invocationId);
    const entry = slot >= 0 ? this.slots[slot] : this.chosen.get(invocationId);
    if (entry === undefined || entry.targetWorkerId !== fromWorkerId) return false;
    if (slot >= 0) this.clearSlot(slot);
    else this.chosen.delete(invocationId);
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
      const slot = this.slotOf(id);
      if (slot >= 0) this.clearSlot(slot);
      else this.chosen.delete(id);
      entry.reject(new EngineError('invocation_stopped', 'Invocation stopped'));
      halted += 1;
    }
    return halted;
  }

  /** Every pending invocation with its id, as a copy (settling while iterating is safe). */
  private pending(): Array<[string, PendingInvocation]> {
    const all: Array<[string, PendingInvocation]> = [];
    for (let i = 0; i < this.slots.length; i++) {
      const entry = this.slots[i];
      if (entry !== undefined) all.push([this.slotIds[i] as string, entry]);
    }
    for (const pair of this.chosen) all.push(pair);
    return all;
  }

  /** The slot holding `invocationId`, or -1 (not an engine-made id, or not pending). */
  private slotOf(invocationId: string): number {
    const prefix = idPrefix(invocationId);
    if (Number.isNaN(prefix)) return -1;
    const slot = prefix & (this.slots.length - 1);
    return this.slotIds[slot] === invocationId ? slot : -1;
  }

  private clearSlot(slot: number): void {
    this.slots[slot] = undefined;
    this.slotIds[slot] = undefined;
    this.slotCount--;
  }

  /** Doubles the table; pending ids keep distinct places (their numbers differed in fewer bits already). */
  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Array<PendingInvocation | undefined>(size).fill(undefined);
    const slotIds = new Array<string | undefined>(size).fill(undefined);
    for (let i = 0; i < this.slots.length; i++) {
      const id = this.slotIds[i];
      if (id === undefined) continue;
      const slot = idPrefix(id) & (size - 1);
      slots[slot] = this.slots[i];
      slotIds[slot] = id;
    }
    this.slots = slots;
    this.slotIds = slotIds;
  }
}
