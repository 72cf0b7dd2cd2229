/**
 * The state change log: one record per acknowledged state write (set, update, delete), appended in
 * the same SQLite transaction as the write itself, so a write and its record are either both
 * durable or both absent. State triggers are delivered from here (`workers/state/reactions`), which
 * is what makes reactions as durable as the writes that cause them.
 *
 * Tables (in the engine database; a `:memory:` one for memory storage):
 * - `state_changes`: seq (global, increasing), scope, key, per-key version, event type, old/new value;
 * - `state_versions`: the last version of every key written, with the seq of its last change and
 *   whether that change deleted it (kept after a delete, so a key re-created later continues its
 *   numbering);
 * - `state_version_floors`: per scope, the highest version of the deleted keys whose rows
 *   compaction dropped; a key without a row starts above it, so no key's version ever goes back;
 * - `state_applied`: idempotency keys of writes already applied, with the reply they got;
 * - `state_log_meta`: the head as of the last compaction, so it survives compaction of every record.
 *   A commit does not write it (that was one more B-tree page per transaction): the head is the
 *   larger of it and the newest record's seq, and only compaction can remove the newest record.
 *
 * Records and versions are *prepared* synchronously when the KV store queues a write (so two
 * writes of one key in one tick get versions n and n+1), *persisted* inside the KV store's commit
 * transaction and *published* to listeners after it commits.
 *
 * The newest committed records also stay in memory (a bounded tail, as stored: values as JSON
 * text): a reader that keeps up with the log, as every live state trigger does, reads them from
 * there instead of querying SQLite once per reader per commit. Values are decoded for every read,
 * so readers never share objects.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ChangeRecord, Json, StateEventType } from '../core/types';
import { decodeValue, encodeValue } from './codec';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS state_changes (
    seq        INTEGER PRIMARY KEY,
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    at         INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS state_versions (
    scope   TEXT NOT NULL,
    key     TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS state_version_floors (
    scope   TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS state_applied (
    idempotency_key TEXT PRIMARY KEY,
    result          TEXT NOT NULL,
    at              INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS state_log_meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** A record prepared for a queued write, with what must be stored alongside it. */
export interface PreparedChange {
  readonly record: ChangeRecord;
  /** Set when the write carried an idempotency key: the key and the reply to remember. */
  readonly applied?: { key: string; result: string };
  /** The record as its `state_changes` row (values as JSON text). */
  readonly row: Row;
}

/** How much of the log to keep. Records a live trigger still needs survive the age limit. */
export interface RetentionPolicy {
  /** Keep at most this many records (hard limit). */
  maxRecords: number;
  /** Drop records older than this, unless a live trigger's cursor has not passed them. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ maxRecords: 100_000, maxAgeMs: 7 * 24 * 3600_000 });

/** The in-memory tail keeps at most this many records and this many bytes of value text. */
const TAIL_RECORDS = 4_096;
const TAIL_BYTES = 8 * 1024 * 1024;

/** One `state_changes` row. */
export interface Row {
  seq: number;
  scope: string;
  key: string;
  version: number;
  event_type: string;
  old_value: string;
  new_value: string;
  at: number;
}

interface Statements {
  insert: Statement<[number, string, string, number, string, string, string, number]>;
  version: Statement<[string, string], { version: number }>;
  setVersion: Statement<[string, string, number, number, number]>;
  applied: Statement<[string], { result: string }>;
  remember: Statement<[string, string, number]>;
  read: Statement<[number, number], Row>;
  head: Statement<[], { value: number }>;
  setHead: Statement<[number]>;
  oldest: Statement<[], { seq: number | null }>;
  newest: Statement<[], { seq: number | null }>;
  count: Statement<[], { n: number }>;
  dropUpTo: Statement<[number]>;
  seqAtOffsetFromHead: Statement<[number], { seq: number }>;
  newestOlderThan: Statement<[number], { seq: number | null }>;
  forgetApplied: Statement<[number]>;
  raiseFloors: Statement<[number]>;
  dropDeletedVersions: Statement<[number]>;
  floors: Statement<[], { scope: string; version: number }>;
}

/**
 * Columns added to `state_versions` after its first release: `seq` (of the key's last change) and
 * `deleted` (that change was a delete). Rows from before have 0 for both, so they are never dropped.
 */
const VERSION_COLUMNS = [
  'ALTER TABLE state_versions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE state_versions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0',
];
/** Only deletes pay for this index: it finds the droppable rows without scanning every key. */
const DELETED_VERSIONS_INDEX = 'CREATE INDEX IF NOT EXISTS state_versions_deleted ON state_versions (seq) WHERE deleted = 1';

export class StateChangeLog {
  private readonly statements: Statements;
  private nextSeq: number;
  private committedHead: number;
  /** Versions and idempotency keys of queued (not yet committed) writes. */
  private pendingVersions = new Map<string, number>();
  private pendingApplied = new Map<string, string>();
  private readonly listeners = new Set<(head: number) => void>();
  /** `state_version_floors` in memory (one entry per scope that ever had versions dropped). */
  private floors = new Map<string, number>();
  /** Rows persisted in the open transaction, and the newest committed rows (`seq` ascending). */
  private uncommitted: Row[] = [];
  private readonly tail = new CommittedTail();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(SCHEMA);
    const columns = new Set((db.pragma('table_info(state_versions)') as Array<{ name: string }>).map((column) => column.name));
    if (!columns.has('seq')) for (const statement of VERSION_COLUMNS) db.exec(statement);
    db.exec(DELETED_VERSIONS_INDEX);
    this.statements = {
      insert: db.prepare(
        'INSERT INTO state_changes (seq, scope, key, version, event_type, old_value, new_value, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      version: db.prepare('SELECT version FROM state_versions WHERE scope = ? AND key = ?'),
      setVersion: db.prepare(
        'INSERT INTO state_versions (scope, key, version, seq, deleted) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (scope, key) DO UPDATE SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted',
      ),
      applied: db.prepare('SELECT result FROM state_applied WHERE idempotency_key = ?'),
      remember: db.prepare('INSERT OR IGNORE INTO state_applied (idempotency_key, result, at) VALUES (?, ?, ?)'),
      read: db.prepare('SELECT * FROM state_changes WHERE seq > ? ORDER BY seq LIMIT ?'),
      head: db.prepare("SELECT value FROM state_log_meta WHERE name = 'head'"),
      setHead: db.prepare(
        "INSERT INTO state_log_meta (name, value) VALUES ('head', ?) ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
      ),
      oldest: db.prepare('SELECT MIN(seq) AS seq FROM state_changes'),
      newest: db.prepare('SELECT MAX(seq) AS seq FROM state_changes'),
      count: db.prepare('SELECT COUNT(*) AS n FROM state_changes'),
      dropUpTo: db.prepare('DELETE FROM state_changes WHERE seq <= ?'),
      seqAtOffsetFromHead: db.prepare('SELECT seq FROM state_changes ORDER BY seq DESC LIMIT 1 OFFSET ?'),
      newestOlderThan: db.prepare('SELECT MAX(seq) AS seq FROM state_changes WHERE at < ?'),
      forgetApplied: db.prepare('DELETE FROM state_applied WHERE at < ?'),
      raiseFloors: db.prepare(
        'INSERT INTO state_version_floors (scope, version) ' +
          'SELECT scope, MAX(version) FROM state_versions WHERE deleted = 1 AND seq < ? GROUP BY scope ' +
          'ON CONFLICT (scope) DO UPDATE SET version = MAX(version, excluded.version)',
      ),
      dropDeletedVersions: db.prepare('DELETE FROM state_versions WHERE deleted = 1 AND seq < ?'),
      floors: db.prepare('SELECT scope, version FROM state_version_floors'),
    };
    this.loadFloors();
    this.committedHead = Math.max(this.statements.head.get()?.value ?? 0, this.statements.newest.get()?.seq ?? 0);
    this.nextSeq = this.committedHead + 1;
  }

  /** The highest committed sequence number (0 before the first write). */
  head(): number {
    return this.committedHead;
  }

  /** The lowest retained sequence number, or `head() + 1` when the log is empty. */
  oldest(): number {
    return this.statements.oldest.get()?.seq ?? this.committedHead + 1;
  }

  /** Committed records after `afterSeq`, in sequence order. */
  read(afterSeq: number, limit: number): ChangeRecord[] {
    if (afterSeq >= this.committedHead) return [];
    const rows = this.tail.after(afterSeq, limit) ?? this.statements.read.all(afterSeq, limit);
    return rows.map(toRecord);
  }

  /** The reply remembered for an idempotency key (queued or committed), or undefined. */
  appliedResult(idempotencyKey: string): Json | undefined {
    const pending = this.pendingApplied.get(idempotencyKey);
    if (pending !== undefined) return decodeValue(pending);
    const row = this.statements.applied.get(idempotencyKey);
    return row === undefined ? undefined : decodeValue(row.result);
  }

  /**
   * Numbers a write that is about to be queued: the next global seq and the key's next version.
   * `result` is the reply to remember under `idempotencyKey` (when given). `oldText` / `newText`
   * are the values as the store holds them (JSON text), so the record's row reuses them instead
   * of serialising the values again. `storedVersion` is the key's committed version when the
   * caller has already read it (`null`: no row), so it is not looked up a second time.
   */
  prepare(write: {
    scope: string;
    key: string;
    eventType: StateEventType;
    oldValue: Json;
    newValue: Json;
    oldText?: string;
    newText?: string;
    storedVersion?: number | null;
    idempotencyKey?: string;
    result?: Json;
  }): PreparedChange {
    const versionKey = `${write.scope}\u0000${write.key}`;
    const current =
      this.pendingVersions.get(versionKey) ??
      (write.storedVersion !== undefined ? write.storedVersion : this.statements.version.get(write.scope, write.key)?.version) ??
      this.floors.get(write.scope) ??
      0;
    const version = current + 1;
    this.pendingVersions.set(versionKey, version);
    const record: ChangeRecord = {
      seq: this.nextSeq++,
      scope: write.scope,
      key: write.key,
      version,
      event_type: write.eventType,
      old_value: write.oldValue,
      new_value: write.newValue,
      at: this.now(),
    };
    const row: Row = {
      seq: record.seq,
      scope: record.scope,
      key: record.key,
      version,
      event_type: record.event_type,
      old_value: write.oldText ?? encodeValue(write.oldValue),
      new_value: write.newText ?? encodeValue(write.newValue),
      at: record.at,
    };
    if (write.idempotencyKey === undefined) return { record, row };
    const result = encodeValue(write.result ?? null);
    this.pendingApplied.set(write.idempotencyKey, result);
    return { record, row, applied: { key: write.idempotencyKey, result } };
  }

  /** Stores prepared changes. Call inside the transaction that stores their writes. */
  persist(changes: readonly PreparedChange[]): void {
    const s = this.statements;
    for (const { row, applied } of changes) {
      s.insert.run(row.seq, row.scope, row.key, row.version, row.event_type, row.old_value, row.new_value, row.at);
      this.uncommitted.push(row);
      s.setVersion.run(row.scope, row.key, row.version, row.seq, row.event_type === 'state:deleted' ? 1 : 0);
      if (applied !== undefined) s.remember.run(applied.key, applied.result, row.at);
    }
  }

  /** The transaction that persisted the prepared changes committed: publish them. */
  committed(): void {
    for (const row of this.uncommitted) this.tail.push(row);
    this.clearPending();
    const head = this.nextSeq - 1;
    if (head <= this.committedHead) return;
    this.committedHead = head;
    for (const listener of this.listeners) listener(head);
  }

  /** The transaction rolled back: forget what was prepared (its seqs are simply never used). */
  rolledBack(): void {
    this.clearPending();
  }

  /** Calls `listener(head)` after every commit that appended records. Returns the unsubscribe. */
  onCommit(listener: (head: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Drops records beyond the retention policy. `keepFrom` is the lowest seq a live trigger still
   * needs: the age limit never drops it, the count limit does (a trigger that far behind loses
   * the dropped changes, and says so when it reads past the gap). Returns the number dropped.
   *
   * The version rows of deleted keys whose delete is no longer in the log go too, each scope's
   * floor raised to the highest version dropped in the same transaction: a key re-created later
   * (or any new key of that scope) continues above it. Rows of keys that exist stay, as do rows
   * whose last change is still in the log.
   */
  compact(policy: RetentionPolicy, keepFrom: number = Number.POSITIVE_INFINITY): number {
    const byCount = policy.maxRecords > 0 ? (this.statements.seqAtOffsetFromHead.get(policy.maxRecords)?.seq ?? 0) : 0;
    const byAge = Math.min(this.statements.newestOlderThan.get(this.now() - policy.maxAgeMs)?.seq ?? 0, keepFrom - 1);
    const upTo = Math.max(byCount, byAge);
    this.statements.forgetApplied.run(this.now() - policy.maxAgeMs);
    return this.db.transaction(() => {
      // The newest record may go: the head is kept here first (commits do not write it).
      if (this.committedHead > 0) this.statements.setHead.run(this.committedHead);
      const dropped = upTo > 0 ? this.statements.dropUpTo.run(upTo).changes : 0;
      if (upTo > 0) this.tail.dropUpTo(upTo);
      const oldest = this.oldest();
      this.statements.raiseFloors.run(oldest);
      if (this.statements.dropDeletedVersions.run(oldest).changes > 0) this.loadFloors();
      return dropped;
    })();
  }

  /** Number of retained records (diagnostics and tests). */
  size(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  private loadFloors(): void {
    this.floors = new Map(this.statements.floors.all().map((row) => [row.scope, row.version]));
  }

  private clearPending(): void {
    if (this.uncommitted.length > 0) this.uncommitted = [];
    if (this.pendingVersions.size > 0) this.pendingVersions = new Map();
    if (this.pendingApplied.size > 0) this.pendingApplied = new Map();
  }
}

function toRecord(row: Row): ChangeRecord {
  return {
    seq: row.seq,
    scope: row.scope,
    key: row.key,
    version: row.version,
    event_type: row.event_type as StateEventType,
    old_value: decodeValue(row.old_value),
    new_value: decodeValue(row.new_value),
    at: row.at,
  };
}

/** The newest committed rows, contiguous up to the head, bounded by count and value bytes. */
class CommittedTail {
  private rows: Array<Row | undefined> = [];
  /** Index of the oldest live row (rows before it are dropped lazily, in one splice). */
  private start = 0;
  private bytes = 0;

  push(row: Row): void {
    this.rows.push(row);
    this.bytes += row.old_value.length + row.new_value.length;
    while (this.rows.length - this.start > TAIL_RECORDS || (this.bytes > TAIL_BYTES && this.rows.length - this.start > 1)) this.shift();
    if (this.start > TAIL_RECORDS) {
      this.rows = this.rows.slice(this.start);
      this.start = 0;
    }
  }

  /** Up to `limit` rows after `afterSeq`, or undefined when older rows may be missing here. */
  after(afterSeq: number, limit: number): Row[] | undefined {
    const first = this.rows[this.start];
    if (first === undefined || afterSeq < first.seq - 1) return undefined;
    // Binary search for the first row above afterSeq (seqs ascend; rolled-back ones leave gaps).
    let lo = this.start;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.rows[mid] as Row).seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return this.rows.slice(lo, Math.min(this.rows.length, lo + limit)) as Row[];
  }

  /** Compaction dropped these from the table: readers must not see them here either. */
  dropUpTo(seq: number): void {
    while (this.start < this.rows.length && (this.rows[this.start] as Row).seq <= seq) this.shift();
  }

  private shift(): void {
    const row = this.rows[this.start] as Row;
    this.bytes -= row.old_value.length + row.new_value.length;
    this.rows[this.start] = undefined;
    this.start++;
  }
}
