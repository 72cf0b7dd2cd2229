import type { FunctionHandler } from './types';

/**
 * Who registered a function (or offers a trigger type): an in-process worker (by name) or a
 * worker connection (by id).
 */
export type FunctionOwner = { kind: 'builtin'; workerName: string } | { kind: 'connection'; workerId: string };

export interface FunctionEntry {
  readonly id: string;
  readonly description?: string;
  readonly metadata?: Record<string, unknown>;
  readonly request_format?: unknown;
  readonly response_format?: unknown;
  readonly owner: FunctionOwner;
  readonly handler: FunctionHandler;
}

export type FunctionsChangedListener = () => void;

export function sameOwner(a: FunctionOwner, b: FunctionOwner): boolean {
  if (a.kind === 'builtin') return b.kind === 'builtin' && a.workerName === b.workerName;
  return b.kind === 'connection' && a.workerId === b.workerId;
}

/**
 * Functions by id; the last registration wins and takes ownership. Removal is owner-checked so a
 * disconnecting worker never deletes an id that another worker has registered since (spec §5.1).
 */
export class FunctionRegistry {
  private readonly entries = new Map<string, FunctionEntry>();
  private readonly listeners = new Set<FunctionsChangedListener>();

  register(entry: FunctionEntry): void {
    const isNew = !this.entries.has(entry.id);
    this.entries.set(entry.id, entry);
    if (isNew) this.changed();
  }

  /** Removes `id` when `owner` (if given) still owns it; returns whether it was removed. */
  unregister(id: string, owner?: FunctionOwner): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    if (owner !== undefined && !sameOwner(entry.owner, owner)) return false;
    this.entries.delete(id);
    this.changed();
    return true;
  }

  /** Removes every function a connection still owns; returns their ids. */
  removeOwnedBy(workerId: string): string[] {
    const removed: string[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.owner.kind === 'connection' && entry.owner.workerId === workerId) {
        this.entries.delete(id);
        removed.push(id);
      }
    }
    if (removed.length > 0) this.changed();
    return removed;
  }

  get(id: string): FunctionEntry | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  list(): FunctionEntry[] {
    return [...this.entries.values()];
  }

  countOwnedBy(workerId: string): number {
    let count = 0;
    for (const entry of this.entries.values()) {
      if (entry.owner.kind === 'connection' && entry.owner.workerId === workerId) count += 1;
    }
    return count;
  }

  /** Called whenever the set of ids changes (not on a plain re-registration of an existing id). */
  onChange(listener: FunctionsChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
