/**
 * The in-memory `KvStore`: nested Maps, which keep insertion order and keep a key's position when
 * it is overwritten. Writes are visible at once and resolve immediately (nothing to make durable).
 */
import type { Json, KvStore, WriteJournal } from '../core/types';
import { closedError, decodeValue, encodeValue } from './codec';

type Scope = Map<string, string>;

export class MemoryKvStore implements KvStore {
  private readonly namespaces = new Map<string, Map<string, Scope>>();
  private closed = false;

  async get(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    this.assertOpen();
    const text = this.namespaces.get(namespace)?.get(scope)?.get(key);
    return text === undefined ? undefined : decodeValue(text);
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
