/**
 * The in-memory `KvStore`: nested Maps, which keep insertion order and keep a key's position when
 * it is overwritten. Writes are visible at once and resolve immediately (nothing to make durable).
 */
import type { Json, KvStore, LoggedWrite, LoggedWriteOutcome, WriteJournal } from '../core/types';
import type { StateChangeLog } from './change-log';
import { closedError, decodeValue, encodeValue } from './codec';
import { eventTypeOf } from './sqlite-kv';

type Scope = Map<string, string>;

export class MemoryKvStore implements KvStore {
  private readonly namespaces = new Map<string, Map<string, Scope>>();
  private closed = false;

  /** `log`, when given, records the writes made through `writeLogged` (an in-memory database). */
  constructor(private readonly log?: StateChangeLog) {}

  /** A state write and its change record, applied at once (see `SqliteKvStore.writeLogged`). */
  async writeLogged(namespace: string, write: LoggedWrite): Promise<LoggedWriteOutcome> {
    this.assertOpen();
    const log = this.log;
    if (log === undefined) throw new Error('this store was opened without a change log');
    if (write.idempotencyKey !== undefined) {
      const reply = log.appliedResult(write.idempotencyKey);
      if (reply !== undefined) return { duplicate: true, reply };
    }
    // Synchronous from the idempotency check to the record: nothing can interleave.
    const text = this.namespaces.get(namespace)?.get(write.scope)?.get(write.key);
    const previous = text === undefined ? undefined : decodeValue(text);
    const next = write.compute(previous);
    const value = 'value' in next ? next.value : undefined;
    if (value !== undefined) encodeValue(value); // refuses what JSON cannot carry before anything is numbered
    const change = log.prepare({
      scope: write.scope,
      key: write.key,
      eventType: eventTypeOf(previous, value),
      oldValue: previous ?? null,
      newValue: value ?? null,
      ...(write.idempotencyKey !== undefined && { idempotencyKey: write.idempotencyKey, result: write.reply?.(previous, value) }),
    });
    const journal: WriteJournal = { record: () => log.persist([change]), committed: () => log.committed() };
    try {
      // Neither call awaits anything before its write: the write and its record land in this turn.
      if (value === undefined) await this.delete(namespace, write.scope, write.key, journal);
      else await this.set(namespace, write.scope, write.key, value, journal);
    } catch (err) {
      log.rolledBack();
      throw err;
    }
    return { duplicate: false, change: change.record, previous };
  }

  async get(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    this.assertOpen();
    const text = this.namespaces.get(namespace)?.get(scope)?.get(key);
    return text === undefined ? undefined : decodeValue(text);
  }

  async getText(namespace: string, scope: string, key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.namespaces.get(namespace)?.get(scope)?.get(key);
  }

  async set(namespace: string, scope: string, key: string, value: Json, journal?: WriteJournal): Promise<Json | undefined> {
    this.assertOpen();
    const text = encodeValue(value);
    const entries = this.scopeFor(namespace, scope);
    const stored = entries.get(key);
    const previous = stored === undefined ? undefined : decodeValue(stored);
    // Recorded first: a journal that throws leaves the value untouched, like a rolled-back commit.
    journal?.record(previous);
    entries.set(key, text);
    journal?.committed();
    return previous;
  }

  async delete(namespace: string, scope: string, key: string, journal?: WriteJournal): Promise<Json | undefined> {
    this.assertOpen();
    const scopes = this.namespaces.get(namespace);
    const entries = scopes?.get(scope);
    const stored = entries?.get(key);
    const previous = stored === undefined ? undefined : decodeValue(stored);
    journal?.record(previous);
    if (previous !== undefined) {
      entries?.delete(key);
      // An emptied scope disappears, as it does from the SQLite table.
      if (entries?.size === 0) scopes?.delete(scope);
    }
    journal?.committed();
    return previous;
  }

  async list(namespace: string, scope: string): Promise<Json[]> {
    this.assertOpen();
    const entries = this.namespaces.get(namespace)?.get(scope);
    return entries === undefined ? [] : Array.from(entries.values(), decodeValue);
  }

  async entries(namespace: string, scope: string): Promise<Array<[string, Json]>> {
    this.assertOpen();
    const entries = this.namespaces.get(namespace)?.get(scope);
    if (entries === undefined) return [];
    return Array.from(entries, ([key, text]): [string, Json] => [key, decodeValue(text)]);
  }

  async scopes(namespace: string): Promise<string[]> {
    this.assertOpen();
    return Array.from(this.namespaces.get(namespace)?.keys() ?? []);
  }

  /** Drops every value; later calls reject with `STORAGE_CLOSED`. Idempotent. */
  close(): void {
    this.closed = true;
    this.namespaces.clear();
  }

  private scopeFor(namespace: string, scope: string): Scope {
    let scopes = this.namespaces.get(namespace);
    if (scopes === undefined) {
      scopes = new Map();
      this.namespaces.set(namespace, scopes);
    }
    let entries = scopes.get(scope);
    if (entries === undefined) {
      entries = new Map();
      scopes.set(scope, entries);
    }
    return entries;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}
