/**
 * The durable `KvStore` on better-sqlite3 (one table, WAL, `synchronous=NORMAL`).
 *
 * Group commit: writes made in one event-loop turn are queued and committed together in a single
 * transaction from `setImmediate`, and each write's promise resolves only after that commit. So
 * a burst of N concurrent writes costs one commit, and an acknowledged write survives a crash of
 * the process.
 *
 * Until its batch commits, a queued write lives in an overlay that point reads consult, so `get`
 * and the previous value returned by `set`/`delete` follow the order of the calls. Range reads
 * (`list`, `entries`, `scopes`) first commit the queue, then read the table.
 *
 * Point reads are served from a bounded cache of small committed values (the table's JSON text,
 * or "absent"): this store is the table's only writer, so the cache is updated by every commit and
 * dropped by a rollback, and a `state::get` of a hot key costs no SQLite lookup.
 */
import type { Database, Statement } from 'better-sqlite3';
import { toEngineError } from '../core/errors';
import type { Json, KvStore, LoggedWrite, LoggedWriteOutcome, StateEventType, WriteJournal } from '../core/types';
import type { PreparedChange, StateChangeLog } from './change-log';
import { closedError, decodeValue, encodeValue } from './codec';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (
    namespace TEXT NOT NULL,
    scope     TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (namespace, scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS kv_insertion_order ON kv (namespace, scope, seq);
`;

/** A queued write: `text` is the new JSON text, or null for a delete. */
interface PendingWrite {
  namespace: string;
  scope: string;
  key: string;
  text: string | null;
  /** What the call resolves once committed (the previous value). */
  previous: Json | undefined;
  /** Records bound to this write: written in its transaction, told once it committed. */
  journal: WriteJournal | undefined;
  /** The state change record stored in the same transaction (`writeLogged` only). */
  change?: PreparedChange;
  resolve(previous: Json | undefined): void;
  reject(error: unknown): void;
}

/** Marks a key deleted in the overlay (distinct from "not in the overlay"). */
const DELETED = null;
/** A change record's text for "no value" (what `encodeValue(null)` gives). */
const NULL_TEXT = 'null';
/** Committed point-read results kept (the oldest go first), each at most this many characters: a few MB at worst. */
const READ_CACHE_SIZE = 4_096;
const READ_CACHE_MAX_TEXT = 2_048;

/** An injective key for (namespace, scope, key): lengths prefix the free-form parts. */
function cacheKey(namespace: string, scope: string, key: string): string {
  return `${namespace.length}:${namespace}${scope.length}:${scope}${key}`;
}

interface Statements {
  get: Statement<[string, string, string], { value: string }>;
  upsert: Statement<[string, string, string, string, number]>;
  remove: Statement<[string, string, string]>;
  entries: Statement<[string, string], { key: string; value: string }>;
  scopes: Statement<[string], { scope: string }>;
  maxSeq: Statement<[], { seq: number | null }>;
  /** A logged write's previous value and its key's version, in one lookup (with a change log only). */
  getWithVersion?: Statement<[string, string, string, string, string], { value: string | null; version: number | null }>;
}

export class SqliteKvStore implements KvStore {
  private readonly statements: Statements;
  private readonly commitBatch: (writes: PendingWrite[]) => void;
  private queue: PendingWrite[] = [];
  /** namespace → scope → key → queued JSON text (or DELETED), newest write wins. */
  private overlay = new Map<string, Map<string, Map<string, string | null>>>();
  private flushScheduled = false;
  /** cacheKey → committed JSON text, or DELETED for a key known to be absent. */
  private readonly committed = new Map<string, string | null>();
  private nextSeq: number;
  private closed = false;

  /**
   * Creates the table if needed. The database stays owned by the caller (see `close`). `log`, when
   * given, records the writes made through `writeLogged`, in the same transactions.
   */
  constructor(
    db: Database,
    private readonly log?: StateChangeLog,
  ) {
    db.exec(SCHEMA);
    this.statements = {
      get: db.prepare('SELECT value FROM kv WHERE namespace = ? AND scope = ? AND key = ?'),
      // Overwriting keeps `seq`, so a key keeps its insertion position.
      upsert: db.prepare(
        'INSERT INTO kv (namespace, scope, key, value, seq) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (namespace, scope, key) DO UPDATE SET value = excluded.value',
      ),
      remove: db.prepare('DELETE FROM kv WHERE namespace = ? AND scope = ? AND key = ?'),
      entries: db.prepare('SELECT key, value FROM kv WHERE namespace = ? AND scope = ? ORDER BY seq'),
      scopes: db.prepare('SELECT DISTINCT scope FROM kv WHERE namespace = ? ORDER BY scope'),
      maxSeq: db.prepare('SELECT MAX(seq) AS seq FROM kv'),
      // `state_versions` is the change log's table (its constructor created it).
      ...(log !== undefined && {
        getWithVersion: db.prepare(
          'SELECT (SELECT value FROM kv WHERE namespace = ? AND scope = ? AND key = ?) AS value, ' +
            '(SELECT version FROM state_versions WHERE scope = ? AND key = ?) AS version',
        ),
      }),
    };
    this.nextSeq = (this.statements.maxSeq.get()?.seq ?? 0) + 1;
    this.commitBatch = db.transaction((writes: PendingWrite[]) => {
      const changes: PreparedChange[] = [];
      for (const write of writes) {
        this.applyWrite(write);
        if (write.change !== undefined) changes.push(write.change);
      }
      if (changes.length > 0) this.log?.persist(changes);
      for (const write of writes) write.journal?.beforeCommit?.();
    });
  }

  async get(namespace: string, scope: string, key: string): Promise<Json | undefined> {
    this.assertOpen();
    return this.currentValue(namespace, scope, key);
  }

  async getText(namespace: string, scope: string, key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.currentText(namespace, scope, key) ?? undefined;
  }

  set(namespace: string, scope: string, key: string, value: Json, journal?: WriteJournal): Promise<Json | undefined> {
    return this.enqueue({ namespace, scope, key, journal }, () => encodeValue(value));
  }

  delete(namespace: string, scope: string, key: string, journal?: WriteJournal): Promise<Json | undefined> {
    return this.enqueue({ namespace, scope, key, journal }, () => DELETED);
  }

  async list(namespace: string, scope: string): Promise<Json[]> {
    return (await this.entries(namespace, scope)).map(([, value]) => value);
  }

  async entries(namespace: string, scope: string): Promise<Array<[string, Json]>> {
    this.assertOpen();
    this.flush();
    return this.statements.entries.all(namespace, scope).map((row): [string, Json] => [row.key, decodeValue(row.value)]);
  }

  async scopes(namespace: string): Promise<string[]> {
    this.assertOpen();
    this.flush();
    return this.statements.scopes.all(namespace).map((row) => row.scope);
  }

  /**
   * Commits whatever is queued, then refuses further calls. Idempotent. Does not close the
   * database: `openStorage` owns it.
   */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  /** Commits the queued writes in one transaction and settles their promises. Synchronous. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const writes = this.queue;
    this.queue = [];
    this.overlay = new Map();
    try {
      this.commitBatch(writes);
    } catch (err) {
      // The whole batch rolled back: nobody was acknowledged, so nothing acknowledged is lost.
      this.committed.clear();
      this.log?.rolledBack();
      const error = toEngineError(err, 'STORAGE_WRITE_FAILED');
      for (const write of writes) {
        write.journal?.rolledBack?.();
        write.reject(error);
      }
      return;
    }
    for (const write of writes) this.remember(cacheKey(write.namespace, write.scope, write.key), write.text);
    this.log?.committed();
    for (const write of writes) {
      // Announced in commit order, before anyone learns the write is acknowledged.
      write.journal?.committed();
      write.resolve(write.previous);
    }
  }

  /**
   * A state write that appends its change record in the same transaction. The new value is
   * computed from the current one synchronously, so a read-modify-write needs no lock; an
   * idempotency key already applied (committed or queued) writes nothing and resolves its reply.
   */
  writeLogged(namespace: string, write: LoggedWrite): Promise<LoggedWriteOutcome> {
    const log = this.log;
    return new Promise((resolve, reject) => {
      if (this.closed) throw closedError();
      if (log === undefined) throw new Error('this store was opened without a change log');
      if (write.idempotencyKey !== undefined) {
        const reply = log.appliedResult(write.idempotencyKey);
        if (reply !== undefined) return resolve({ duplicate: true, reply });
      }
      const { scope, key } = write;
      const { text: previousText, version: storedVersion } = this.currentForLog(namespace, scope, key);
      const previous = previousText === DELETED ? undefined : decodeValue(previousText);
      const next = write.compute(previous);
      const value = 'value' in next ? next.value : undefined;
      const text = value === undefined ? DELETED : encodeValue(value);
      const change = log.prepare({
        scope,
        key,
        eventType: eventTypeOf(previous, value),
        oldValue: previous ?? null,
        newValue: value ?? null,
        // The record stores the same JSON text as the table: no second serialisation.
        oldText: previousText ?? NULL_TEXT,
        newText: text ?? NULL_TEXT,
        ...(storedVersion !== undefined && { storedVersion }),
        ...(write.idempotencyKey !== undefined && { idempotencyKey: write.idempotencyKey, result: write.reply?.(previous, value) }),
      });
      this.push({
        namespace,
        scope,
        key,
        journal: undefined,
        change,
        text,
        previous,
        resolve: () => resolve({ duplicate: false, change: change.record, previous }),
        reject,
      });
    });
  }

  /** Queues one write; `encode` gives the new JSON text, or DELETED (it may throw). */
  private enqueue(
    target: Pick<PendingWrite, 'namespace' | 'scope' | 'key' | 'journal'>,
    encode: () => string | null,
  ): Promise<Json | undefined> {
    const { namespace, scope, key } = target;
    // The executor runs synchronously, so the write takes its place in call order right here;
    // anything it throws (closed store, unserialisable value) rejects the returned promise.
    return new Promise((resolve, reject) => {
      if (this.closed) throw closedError();
      const text = encode();
      const previous = this.currentValue(namespace, scope, key);
      this.push({ ...target, text, previous, resolve, reject });
    });
  }

  private push(write: PendingWrite): void {
    this.queue.push(write);
    this.overlayScope(write.namespace, write.scope).set(write.key, write.text);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private applyWrite(write: PendingWrite): void {
    if (write.text === DELETED) {
      this.statements.remove.run(write.namespace, write.scope, write.key);
    } else {
      this.statements.upsert.run(write.namespace, write.scope, write.key, write.text, this.nextSeq++);
    }
    write.journal?.record(write.previous);
  }

  /** The value as of the last call: the overlay's queued write, else the table. */
  private currentValue(namespace: string, scope: string, key: string): Json | undefined {
    const text = this.currentText(namespace, scope, key);
    return text === DELETED ? undefined : decodeValue(text);
  }

  /**
   * `currentText` for a logged write; where it has to read the table, the key's committed version
   * comes with the value in the same query (`version` null: no version row; undefined: not read).
   */
  private currentForLog(namespace: string, scope: string, key: string): { text: string | null; version?: number | null } {
    const lookup = this.statements.getWithVersion;
    if (lookup === undefined) return { text: this.currentText(namespace, scope, key) };
    const queued = this.overlay.get(namespace)?.get(scope);
    if (queued !== undefined && queued.has(key)) return { text: queued.get(key) ?? DELETED };
    const cached = cacheKey(namespace, scope, key);
    const hit = this.committed.get(cached);
    if (hit !== undefined) return { text: hit };
    const row = lookup.get(namespace, scope, key, scope, key);
    const text = row?.value ?? DELETED;
    this.remember(cached, text);
    return { text, version: row?.version ?? null };
  }

  /** `currentValue` as the stored JSON text, or DELETED when the key is absent. */
  private currentText(namespace: string, scope: string, key: string): string | null {
    const queued = this.overlay.get(namespace)?.get(scope);
    if (queued !== undefined && queued.has(key)) return queued.get(key) ?? DELETED;
    const cached = cacheKey(namespace, scope, key);
    let text = this.committed.get(cached);
    if (text === undefined) {
      text = this.statements.get.get(namespace, scope, key)?.value ?? DELETED;
      this.remember(cached, text);
    }
    return text;
  }

  private remember(key: string, text: string | null): void {
    this.committed.delete(key); // re-inserted last: the Map's order is the eviction order
    if (text !== DELETED && text.length > READ_CACHE_MAX_TEXT) return;
    this.committed.set(key, text);
    if (this.committed.size > READ_CACHE_SIZE) this.committed.delete(this.committed.keys().next().value as string);
  }

  private overlayScope(namespace: string, scope: string): Map<string, string | null> {
    let scopes = this.overlay.get(namespace);
    if (scopes === undefined) {
      scopes = new Map();
      this.overlay.set(namespace, scopes);
    }
    let keys = scopes.get(scope);
    if (keys === undefined) {
      keys = new Map();
      scopes.set(scope, keys);
    }
    return keys;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

/** created / updated / deleted, from the value before and after (undefined = absent). */
export function eventTypeOf(previous: Json | undefined, next: Json | undefined): StateEventType {
  if (next === undefined) return 'state:deleted';
  return previous === undefined ? 'state:created' : 'state:updated';
}
