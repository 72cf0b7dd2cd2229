/**
 * The per-group event log behind resumable stream subscriptions.
 *
 * Every change event of a group gets the group's next `seq` (1, 2, 3, … without holes), and every
 * write of an item the item's next `version`. Counters and the last events of each group live in
 * tables of the engine database, so both survive a restart:
 * - the event of a stored item is recorded by a `WriteJournal`, inside the KV transaction that
 *   commits the item, so log and items never disagree, not even after a crash;
 * - an event without a local write (`stream::send`, custom streams, the bridge) is recorded in a
 *   transaction of its own when it happens.
 * Retention keeps the last `maxEvents` events per group (trimmed every `TRIM_EVERY` events, or
 * every `maxEvents` when that is smaller, so up to that many more) and drops those older than `maxAgeMs` (`compact`). A resume from a position
 * the log no longer covers is answered with a fresh sync.
 *
 * Each group's last seq and recently written items' versions are cached, and a batch's rows are
 * written once, when it commits (`flush`): one multi-row insert for its events and one version row
 * per item, however many writes the batch held. A group's counter row is written when the group
 * gets its first event and before age retention may drop its newest events (and on every batch
 * when no events are kept): otherwise its newest event holds its last seq, so the group's head is
 * the larger of the two, and a commit costs no counter update. The caches run ahead
 * of the database only inside a transaction and are dropped when one rolls back. Age retention
 * walks each group's events in `seq` order (its primary key), so no index on the time is kept up
 * on every insert.
 *
 * The `epoch` is a random id chosen once per database: a client that resumes with the epoch of
 * another incarnation (a wiped or replaced database, a restarted memory-only engine) is never
 * served a replay of unrelated events that happen to carry the same numbers.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Json, WriteJournal } from '../../core/types';
import type { StreamChangeEvent, StreamFrame, StreamMessage } from './types';

/** How much history each group keeps for resuming clients. */
export interface EventLogRetention {
  /** Events kept per group (0 keeps none: every resume becomes a fresh sync). */
  maxEvents: number;
  /** Events older than this are dropped by `compact`. */
  maxAgeMs: number;
}

/** Where a group stands: its last `seq` (0 before any event) and the log's epoch. */
export interface GroupHead {
  seq: number;
  epoch: string;
}

/** A resume request: the last `seq` the client applied, and the epoch it was told. */
export interface ResumePoint {
  since: number;
  epoch: string | undefined;
}

/** The count trim runs on every this-many-th event of a group (at most). */
const TRIM_EVERY = 64;
/** Item versions cached at most (the oldest go first); a miss costs one indexed read. */
const VERSION_CACHE_SIZE = 50_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS stream_log_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stream_log_groups (
    stream_name TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    epoch       TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (stream_name, group_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stream_log_versions (
    stream_name TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (stream_name, group_id, item_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stream_log_events (
    stream_name TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    item_id     TEXT,
    version     INTEGER,
    at          INTEGER NOT NULL,
    event       TEXT NOT NULL,
    PRIMARY KEY (stream_name, group_id, seq)
  ) WITHOUT ROWID;
  DROP INDEX IF EXISTS stream_log_events_at;
`;

/** Event rows per multi-row insert (7 parameters each, far below SQLite's limit). */
const INSERT_CHUNK = 64;

type EventParams = [string, string, number, string | null, number | null, number, string];

interface EventRow {
  seq: number;
  item_id: string | null;
  version: number | null;
  at: number;
  event: string;
}

interface Statements {
  group: Statement<[string, string], { last_seq: number }>;
  newestSeq: Statement<[string, string], { seq: number | null }>;
  upsertGroup: Statement<[string, string, string, number]>;
  version: Statement<[string, string, string], { version: number }>;
  upsertVersion: Statement<[string, string, string, number]>;
  removeVersion: Statement<[string, string, string]>;
  trimGroup: Statement<[string, string, number]>;
  groups: Statement<[], { stream_name: string; group_id: string }>;
  trimGroupAge: Statement<[{ stream: string; group: string; cutoff: number }]>;
  firstSeq: Statement<[string, string], { seq: number | null }>;
  eventsSince: Statement<[string, string, number], EventRow>;
  itemEventsSince: Statement<[string, string, number, string], EventRow>;
}

export class StreamEventLog {
  private readonly statements: Statements;
  /** This database's incarnation (see the file comment). */
  private readonly epoch: string;
  private readonly inTransaction: (message: StreamMessage<StreamChangeEvent>) => StreamFrame<StreamChangeEvent>;
  /** group key → last seq. */
  private readonly seqs = new Map<string, number>();
  /** Group keys known to have their `stream_log_groups` row (committed or in the open batch). */
  private readonly counted = new Set<string>();
  /** item key → version (absent: read the table). */
  private readonly versions = new Map<string, number>();
  /** What the current batch has written but not yet flushed to the tables. */
  private pending = emptyBatch();
  /** Multi-row event inserts, by row count. */
  private readonly inserts = new Map<number, Statement<unknown[]>>();

  constructor(
    private readonly db: Database,
    private readonly retention: EventLogRetention,
  ) {
    db.exec(SCHEMA);
    db.prepare("INSERT OR IGNORE INTO stream_log_meta (key, value) VALUES ('epoch', ?)").run(randomUUID());
    this.epoch = (db.prepare("SELECT value FROM stream_log_meta WHERE key = 'epoch'").get() as { value: string }).value;
    this.statements = {
      group: db.prepare('SELECT last_seq FROM stream_log_groups WHERE stream_name = ? AND group_id = ?'),
      newestSeq: db.prepare('SELECT MAX(seq) AS seq FROM stream_log_events WHERE stream_name = ? AND group_id = ?'),
      upsertGroup: db.prepare(
        'INSERT INTO stream_log_groups (stream_name, group_id, epoch, last_seq) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (stream_name, group_id) DO UPDATE SET last_seq = excluded.last_seq',
      ),
      version: db.prepare('SELECT version FROM stream_log_versions WHERE stream_name = ? AND group_id = ? AND item_id = ?'),
      upsertVersion: db.prepare(
        'INSERT INTO stream_log_versions (stream_name, group_id, item_id, version) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (stream_name, group_id, item_id) DO UPDATE SET version = excluded.version',
      ),
      removeVersion: db.prepare('DELETE FROM stream_log_versions WHERE stream_name = ? AND group_id = ? AND item_id = ?'),
      trimGroup: db.prepare('DELETE FROM stream_log_events WHERE stream_name = ? AND group_id = ? AND seq <= ?'),
      groups: db.prepare('SELECT stream_name, group_id FROM stream_log_groups'),
      // A group's events are written in time order: the old ones are the prefix before the first
      // recent one (all of them when none is recent), found by walking the primary key.
      trimGroupAge: db.prepare(
        'DELETE FROM stream_log_events WHERE stream_name = @stream AND group_id = @group AND seq < coalesce(' +
          '(SELECT seq FROM stream_log_events WHERE stream_name = @stream AND group_id = @group AND at >= @cutoff ORDER BY seq LIMIT 1), ' +
          '9223372036854775807)',
      ),
      firstSeq: db.prepare('SELECT MIN(seq) AS seq FROM stream_log_events WHERE stream_name = ? AND group_id = ?'),
      eventsSince: db.prepare(
        'SELECT seq, item_id, version, at, event FROM stream_log_events WHERE stream_name = ? AND group_id = ? AND seq > ? ORDER BY seq',
      ),
      itemEventsSince: db.prepare(
        'SELECT seq, item_id, version, at, event FROM stream_log_events ' +
          'WHERE stream_name = ? AND group_id = ? AND seq > ? AND item_id = ? ORDER BY seq',
      ),
    };
    this.inTransaction = db.transaction((message: StreamMessage<StreamChangeEvent>) => {
      const frame = this.write(message);
      this.flush();
      return frame;
    });
  }

  /**
   * A journal for one stored write. `eventFor` turns the previous value into the change event
   * (or `undefined` when the write announces nothing, e.g. deleting a missing item); `publish`
   * receives the logged frame once the write has committed.
   */
  journal(
    message: Omit<StreamMessage<StreamChangeEvent>, 'event'>,
    eventFor: (previous: Json | undefined) => StreamChangeEvent | undefined,
    publish: (frame: StreamFrame<StreamChangeEvent>) => void,
  ): WriteJournal {
    let frame: StreamFrame<StreamChangeEvent> | undefined;
    return {
      record: (previous) => {
        const event = eventFor(previous);
        if (event === undefined) frame = undefined;
        // Inside the KV batch already (SQLite storage): a savepoint would buy nothing, since a
        // failure here rolls the whole batch back anyway.
        else frame = this.db.inTransaction ? this.write({ ...message, event }) : this.append({ ...message, event });
      },
      beforeCommit: () => this.flush(),
      committed: () => {
        if (frame !== undefined) publish(frame);
      },
      rolledBack: () => this.forget(),
    };
  }

  /** Logs an event that has no local write of its own and returns its frame. */
  append(message: StreamMessage<StreamChangeEvent>): StreamFrame<StreamChangeEvent> {
    try {
      return this.inTransaction(message);
    } catch (err) {
      this.forget();
      throw err;
    }
  }

  /** The group's last seq (as committed) and the epoch. */
  head(streamName: string, groupId: string): GroupHead {
    return { seq: this.lastSeq(streamName, groupId), epoch: this.epoch };
  }

  /** The item's current version (`undefined` for an item never written or deleted). */
  version(streamName: string, groupId: string, itemId: string): number | undefined {
    return this.currentVersion(streamName, groupId, itemId);
  }

  /**
   * The frames after `point.since` (only those of `itemId` when given), or `undefined` when the
   * log cannot serve them all: retention dropped some, the position is ahead of the group, or
   * the epoch is another incarnation's.
   */
  replay(streamName: string, groupId: string, itemId: string | null, point: ResumePoint): StreamFrame<StreamChangeEvent>[] | undefined {
    const { since, epoch } = point;
    if (!Number.isSafeInteger(since) || since < 0) return undefined;
    const head = this.head(streamName, groupId);
    if (epoch !== undefined && epoch !== head.epoch) return undefined;
    if (since > head.seq) return undefined;
    if (since === head.seq) return [];
    const first = this.statements.firstSeq.get(streamName, groupId)?.seq ?? null;
    if (first === null || first > since + 1) return undefined;
    const rows =
      itemId === null
        ? this.statements.eventsSince.all(streamName, groupId, since)
        : this.statements.itemEventsSince.all(streamName, groupId, since, itemId);
    return rows.map((row) => toFrame(streamName, groupId, row));
  }

  /** Drops events older than the retention age; returns how many went. */
  compact(now: number): number {
    if (!this.db.open) return 0;
    const cutoff = now - this.retention.maxAgeMs;
    let dropped = 0;
    for (const { stream_name: stream, group_id: group } of this.statements.groups.all()) {
      // The trim may drop the group's newest event, which holds its last seq: store it first.
      this.statements.upsertGroup.run(stream, group, this.epoch, this.lastSeq(stream, group));
      dropped += this.statements.trimGroupAge.run({ stream, group, cutoff }).changes;
    }
    return dropped;
  }

  /**
   * Writes what the batch recorded: the events in multi-row inserts, each touched group's counter
   * and each touched item's version once, then the count trims. Runs inside the transaction that
   * commits the batch (the KV store calls it through the journal's `beforeCommit`).
   */
  private flush(): void {
    const batch = this.pending;
    if (batch.events.length === 0 && batch.groups.size === 0) return;
    this.pending = emptyBatch();
    for (let start = 0; start < batch.events.length; start += INSERT_CHUNK) {
      const rows = batch.events.slice(start, start + INSERT_CHUNK);
      this.insertStatement(rows.length).run(rows.flat());
    }
    for (const [stream, group, seq] of batch.groups.values()) this.statements.upsertGroup.run(stream, group, this.epoch, seq);
    for (const [stream, group, item, version] of batch.versions.values()) {
      if (version === null) this.statements.removeVersion.run(stream, group, item);
      else this.statements.upsertVersion.run(stream, group, item, version);
    }
    for (const [stream, group, upTo] of batch.trims.values()) this.statements.trimGroup.run(stream, group, upTo);
  }

  private insertStatement(rows: number): Statement<unknown[]> {
    let statement = this.inserts.get(rows);
    if (statement === undefined) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(
        `INSERT INTO stream_log_events (stream_name, group_id, seq, item_id, version, at, event) VALUES ${values}`,
      );
      this.inserts.set(rows, statement);
    }
    return statement;
  }

  /** Assigns seq (and version for item writes) and stores the event. Runs inside a transaction. */
  private write(message: StreamMessage<StreamChangeEvent>): StreamFrame<StreamChangeEvent> {
    const { streamName, groupId, id, event } = message;
    const seq = this.lastSeq(streamName, groupId) + 1;
    const group = groupKey(streamName, groupId);
    this.seqs.set(group, seq);
    const { maxEvents } = this.retention;
    // Without a stored event to hold it, the counter row is the only record of the last seq.
    if (maxEvents === 0 || !this.counted.has(group)) {
      this.counted.add(group);
      this.pending.groups.set(group, [streamName, groupId, seq]);
    }
    const version = id === null || event.type === 'event' ? undefined : this.nextVersion(streamName, groupId, id, event.type);
    if (maxEvents > 0) {
      this.pending.events.push([streamName, groupId, seq, id, version ?? null, message.timestamp, JSON.stringify(event)]);
      if (seq > maxEvents && seq % Math.min(TRIM_EVERY, maxEvents) === 0)
        this.pending.trims.set(group, [streamName, groupId, seq - maxEvents]);
    }
    const frame: StreamFrame<StreamChangeEvent> = { ...message, seq };
    if (version !== undefined) frame.version = version;
    return frame;
  }

  /** A created item starts at 1; a delete takes the next version and forgets the item. */
  private nextVersion(streamName: string, groupId: string, itemId: string, type: 'create' | 'update' | 'delete'): number {
    const key = itemKey(streamName, groupId, itemId);
    const current = type === 'create' ? 0 : (this.currentVersion(streamName, groupId, itemId) ?? 0);
    const version = current + 1;
    this.versions.delete(key); // re-inserted last: the Map's order is the eviction order
    this.pending.versions.set(key, [streamName, groupId, itemId, type === 'delete' ? null : version]);
    if (type !== 'delete') {
      this.versions.set(key, version);
      if (this.versions.size > VERSION_CACHE_SIZE) this.versions.delete(this.versions.keys().next().value as string);
    }
    return version;
  }

  private lastSeq(streamName: string, groupId: string): number {
    const key = groupKey(streamName, groupId);
    let seq = this.seqs.get(key);
    if (seq === undefined) {
      const row = this.statements.group.get(streamName, groupId);
      if (row !== undefined) this.counted.add(key);
      seq = Math.max(row?.last_seq ?? 0, this.statements.newestSeq.get(streamName, groupId)?.seq ?? 0);
      this.seqs.set(key, seq);
    }
    return seq;
  }

  private currentVersion(streamName: string, groupId: string, itemId: string): number | undefined {
    const key = itemKey(streamName, groupId, itemId);
    const cached = this.versions.get(key);
    if (cached !== undefined) return cached;
    // Deleted earlier in this batch: the table still holds the old row until the flush.
    if (this.pending.versions.has(key)) return undefined;
    return this.statements.version.get(streamName, groupId, itemId)?.version;
  }

  /** A transaction rolled back: the caches may hold numbers it never committed. */
  private forget(): void {
    this.seqs.clear();
    this.counted.clear();
    this.versions.clear();
    this.pending = emptyBatch();
  }
}

/** Rows a batch has recorded, keyed so each group and item is written once. */
interface PendingBatch {
  events: EventParams[];
  /** group key → [stream, group, last seq]. */
  groups: Map<string, [string, string, number]>;
  /** item key → [stream, group, item, version], or a null version for a deleted item. */
  versions: Map<string, [string, string, string, number | null]>;
  /** group key → [stream, group, drop events up to this seq]. */
  trims: Map<string, [string, string, number]>;
}

function emptyBatch(): PendingBatch {
  return { events: [], groups: new Map(), versions: new Map(), trims: new Map() };
}

function groupKey(streamName: string, groupId: string): string {
  return JSON.stringify([streamName, groupId]);
}

function itemKey(streamName: string, groupId: string, itemId: string): string {
  return JSON.stringify([streamName, groupId, itemId]);
}

function toFrame(streamName: string, groupId: string, row: EventRow): StreamFrame<StreamChangeEvent> {
  const event = JSON.parse(row.event) as StreamChangeEvent;
  const frame: StreamFrame<StreamChangeEvent> = {
    type: 'stream',
    timestamp: row.at,
    streamName,
    groupId,
    id: row.item_id,
    event,
    seq: row.seq,
  };
  if (row.version !== null) frame.version = row.version;
  return frame;
}
