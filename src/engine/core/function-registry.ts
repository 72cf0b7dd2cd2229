import type { RegistrationPolicy } from './ownership';
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
  /**
   * Whether this registration can take a call now (its worker's socket is still open). A pool
   * skips members that cannot, so a call not yet sent fails over to another replica.
   */
  readonly available?: () => boolean;
}

export type FunctionsChangedListener = () => void;

export function sameOwner(a: FunctionOwner, b: FunctionOwner): boolean {
  if (a.kind === 'builtin') return b.kind === 'builtin' && a.workerName === b.workerName;
  return b.kind === 'connection' && a.workerId === b.workerId;
}

/**
 * The registrations of one function id. Several worker connections registering the same id are
 * replicas of one service: each call goes to the next available member (round robin).
 */
interface Pool {
  members: FunctionEntry[];
  next: number;
}

export interface FunctionRegistryOptions {
  /**
   * true (default): a function id registered by several worker connections is served by all of
   * them. false: the last registration wins and takes the id over (the reference engine 0.22).
   */
  pooling?: boolean;
  /** Ownership: with it on, an id held by another principal is neither taken over nor joined. */
  policy?: Pick<RegistrationPolicy, 'check'>;
}

/**
 * Functions by id. A registration by the same owner replaces that owner's; a connection
 * registering an id other connections hold joins their pool (replicas); a built-in registration,
 * or any registration when pooling is off, replaces the id outright. Removal is owner-checked so a
 * disconnecting worker only ever takes its own registration away (engine.md §5.1).
 */
export class FunctionRegistry {
  private readonly pools = new Map<string, Pool>();
  private readonly listeners = new Set<FunctionsChangedListener>();
  private readonly pooling: boolean;
  private readonly policy: Pick<RegistrationPolicy, 'check'> | undefined;

  constructor(options: FunctionRegistryOptions = {}) {
    this.pooling = options.pooling !== false;
    this.policy = options.policy;
  }

  /** Throws `registration_refused` (nothing changed) when ownership forbids it. */
  register(entry: FunctionEntry): void {
    const pool = this.pools.get(entry.id);
    for (const member of pool?.members ?? []) {
      if (!sameOwner(member.owner, entry.owner)) this.policy?.check(`function ${entry.id}`, member.owner, entry.owner);
    }
    if (pool === undefined) {
      this.pools.set(entry.id, { members: [entry], next: 0 });
      this.changed();
      return;
    }
    const own = pool.members.findIndex((member) => sameOwner(member.owner, entry.owner));
    if (own >= 0) pool.members[own] = entry;
    else if (this.pooling && entry.owner.kind === 'connection' && pool.members.every((member) => member.owner.kind === 'connection')) {
      pool.members.push(entry);
    } else {
      pool.members = [entry];
      pool.next = 0;
    }
  }

  /** Removes `owner`'s registration of `id` (every registration when no owner is given); returns whether one went. */
  unregister(id: string, owner?: FunctionOwner): boolean {
    const pool = this.pools.get(id);
    if (pool === undefined) return false;
    const kept = owner === undefined ? [] : pool.members.filter((member) => !sameOwner(member.owner, owner));
    if (kept.length === pool.members.length) return false;
    this.setMembers(id, pool, kept);
    return true;
  }

  /** Removes every registration a connection holds; returns the ids that no worker serves any more. */
  removeOwnedBy(workerId: string): string[] {
    const removed: string[] = [];
    for (const [id, pool] of this.pools) {
      const kept = pool.members.filter((member) => !ownedBy(member, workerId));
      if (kept.length === pool.members.length) continue;
      if (kept.length === 0) removed.push(id);
      pool.members = kept;
      pool.next = 0;
    }
    for (const id of removed) this.pools.delete(id);
    if (removed.length > 0) this.changed();
    return removed;
  }

  /** The registration that describes `id`: the most recent one still registered. */
  get(id: string): FunctionEntry | undefined {
    const members = this.pools.get(id)?.members;
    return members?.[members.length - 1];
  }

  /**
   * The registration that should take the next call of `id`: round robin over the members that
   * are available, or the next member when none says it is (its handler then fails clearly).
   */
  pick(id: string): FunctionEntry | undefined {
    const pool = this.pools.get(id);
    if (pool === undefined) return undefined;
    const { members } = pool;
    if (members.length === 1) return members[0];
    for (let tried = 0; tried < members.length; tried++) {
      const member = members[pool.next % members.length]!;
      pool.next = (pool.next + 1) % members.length;
      if (member.available === undefined || member.available()) return member;
    }
    return members[0];
  }

  /** How many registrations serve `id` (replicas). */
  replicaCount(id: string): number {
    return this.pools.get(id)?.members.length ?? 0;
  }

  has(id: string): boolean {
    return this.pools.has(id);
  }

  /** One entry per id. */
  list(): FunctionEntry[] {
    return [...this.pools.values()].map((pool) => pool.members[pool.members.length - 1]!);
  }

  countOwnedBy(workerId: string): number {
    let count = 0;
    for (const pool of this.pools.values()) {
      if (pool.members.some((member) => ownedBy(member, workerId))) count += 1;
    }
    return count;
  }

  /** Called whenever the set of ids changes (not on a re-registration or a replica joining or leaving). */
  onChange(listener: FunctionsChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setMembers(id: string, pool: Pool, members: FunctionEntry[]): void {
    if (members.length === 0) {
      this.pools.delete(id);
      this.changed();
      return;
    }
    pool.members = members;
    pool.next = 0;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function ownedBy(entry: FunctionEntry, workerId: string): boolean {
  return entry.owner.kind === 'connection' && entry.owner.workerId === workerId;
}
