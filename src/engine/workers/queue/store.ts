import type { Database, Statement } from 'better-sqlite3';

/**
 * Durable job storage for `iii-queue` in the engine's SQLite database (a file, or `:memory:` for
 * memory storage). One table holds every job; `status` moves ready → running → (deleted | ready
 * again for a retry | dead). Every method is one synchronous statement or transaction, so when it
 * returns the change is committed — that is what lets `enqueue` acknowledge only committed jobs.
 */

export type JobStatus = 'ready' | 'running' | 'dead';

export interface NewJob {
  id: string;
  queue: string;
  function_id: string;
  data: unknown;
  group_key?: string;
  traceparent?: string;
  baggage?: string;
  /** This job's delivery attempts before the dead-letter list (else the queue's `max_retries`). */
  max_attempts?: number;
  /** This job's first retry delay, doubled each retry (else the queue's `backoff_ms`). */
  backoff_ms?: number;
}

export interface StoredJob {
  seq: number;
  id: string;
  queue: string;
  function_id: string;
  data: unknown;
  group_key: string | null;
  traceparent: string | null;
  baggage: string | null;
  max_attempts: number | null;
  backoff_ms: number | null;
  status: JobStatus;
  /** Deliveries started so far (incremented when a job is claimed). */
  attempts: number;
  available_at: number;
  enqueued_at: number;
  failed_at: number | null;
  last_error: string | null;
}

interface JobRow extends Omit<StoredJob, 'data'> {
  data: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS iii_queue_jobs (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL UNIQUE,
  queue        TEXT    NOT NULL,
  function_id  TEXT    NOT NULL,
  data         TEXT    NOT NULL,
  group_key    TEXT,
  traceparent  TEXT,
  baggage      TEXT,
  status       TEXT    NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  enqueued_at  INTEGER NOT NULL,
  failed_at    INTEGER,
  last_error   TEXT,
  max_attempts INTEGER,
  backoff_ms   INTEGER
);
CREATE INDEX IF NOT EXISTS iii_queue_jobs_by_state ON iii_queue_jobs (queue, status, available_at, seq);
`;

/** Ready jobs due now; in FIFO queues a job waits while an earlier job of its group is pending. */
const CLAIMABLE = `
SELECT * FROM iii_queue_jobs AS j
WHERE j.queue = @queue AND j.status = 'ready' AND j.available_at <= @now
  AND (@fifo = 0 OR j.group_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM iii_queue_jobs AS k
    WHERE k.queue = j.queue AND k.group_key = j.group_key
      AND k.status IN ('ready', 'running') AND k.seq < j.seq))
ORDER BY j.available_at, j.seq
LIMIT @limit`;

export class QueueStore {
  private readonly insertStmt: Statement;
  private readonly claimableStmt: Statement;
  private readonly markRunningStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly retryStmt: Statement;
  private readonly buryStmt: Statement;
  private readonly nextDueStmt: Statement;
  private readonly countStmt: Statement;
  private readonly deadPageStmt: Statement;
  private readonly redriveAllStmt: Statement;
  private readonly redriveOneStmt: Statement;
  private readonly discardOneStmt: Statement;
  private readonly claimTx: (queue: string, now: number, limit: number, fifo: boolean) => StoredJob[];

  constructor(private readonly db: Database) {
    db.exec(SCHEMA);
    addMissingColumns(db);
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO iii_queue_jobs
         (id, queue, function_id, data, group_key, traceparent, baggage, max_attempts, backoff_ms,
          status, attempts, available_at, enqueued_at)
       VALUES (@id, @queue, @function_id, @data, @group_key, @traceparent, @baggage, @max_attempts, @backoff_ms,
          'ready', 0, @now, @now)`,
    );
    this.claimableStmt = db.prepare(CLAIMABLE);
    this.markRunningStmt = db.prepare(
      `UPDATE iii_queue_jobs SET status = 'running', attempts = attempts + 1 WHERE seq = ? AND status = 'ready'`,
    );
    this.deleteStmt = db.prepare(`DELETE FROM iii_queue_jobs WHERE id = ? AND status = 'running'`);
    this.retryStmt = db.prepare(
      `UPDATE iii_queue_jobs SET status = 'ready', available_at = @available_at, last_error = @error
       WHERE id = @id AND status = 'running'`,
    );
    this.buryStmt = db.prepare(
      `UPDATE iii_queue_jobs SET status = 'dead', failed_at = @now, last_error = @error
       WHERE id = @id AND status = 'running'`,
    );
    this.nextDueStmt = db.prepare(
      `SELECT MIN(available_at) AS next FROM iii_queue_jobs
       WHERE queue = ? AND status = 'ready' AND available_at > ?`,
    );
    this.countStmt = db.prepare(`SELECT status, COUNT(*) AS n FROM iii_queue_jobs WHERE queue = ? GROUP BY status`);
    this.deadPageStmt = db.prepare(
      `SELECT * FROM iii_queue_jobs WHERE queue = ? AND status = 'dead' ORDER BY failed_at, seq LIMIT ? OFFSET ?`,
    );
    this.redriveAllStmt = db.prepare(
      `UPDATE iii_queue_jobs SET status = 'ready', attempts = 0, available_at = ?, failed_at = NULL
       WHERE queue = ? AND status = 'dead'`,
    );
    this.redriveOneStmt = db.prepare(
      `UPDATE iii_queue_jobs SET status = 'ready', attempts = 0, available_at = ?, failed_at = NULL
       WHERE queue = ? AND id = ? AND status = 'dead'`,
    );
    this.discardOneStmt = db.prepare(`DELETE FROM iii_queue_jobs WHERE queue = ? AND id = ? AND status = 'dead'`);
    this.claimTx = db.transaction((queue: string, now: number, limit: number, fifo: boolean) => {
      const rows = this.claimableStmt.all({ queue, now, limit, fifo: fifo ? 1 : 0 }) as JobRow[];
      for (const row of rows) this.markRunningStmt.run(row.seq);
      return rows.map((row) => toJob({ ...row, status: 'running', attempts: row.attempts + 1 }));
    });
  }

  /** Commits a new ready job; `false` when a job with that id already exists (idempotent enqueue). */
  insert(job: NewJob, now: number): boolean {
    const result = this.insertStmt.run({
      id: job.id,
      queue: job.queue,
      function_id: job.function_id,
      data: JSON.stringify(job.data ?? null),
      group_key: job.group_key ?? null,
      traceparent: job.traceparent ?? null,
      baggage: job.baggage ?? null,
      max_attempts: job.max_attempts ?? null,
      backoff_ms: job.backoff_ms ?? null,
      now,
    });
    return result.changes === 1;
  }

  /** Atomically marks up to `limit` due jobs as running (counting the attempt) and returns them. */
  claim(queue: string, now: number, limit: number, fifo: boolean): StoredJob[] {
    return limit <= 0 ? [] : this.claimTx(queue, now, limit, fifo);
  }

  /** The job succeeded: it is acknowledged by deleting it. */
  complete(id: string): void {
    this.deleteStmt.run(id);
  }

  retryLater(id: string, availableAt: number, error: string): void {
    this.retryStmt.run({ id, available_at: availableAt, error });
  }

  bury(id: string, now: number, error: string): void {
    this.buryStmt.run({ id, now, error });
  }

  /**
   * Jobs left `running` by a crash or an unfinished shutdown are delivered again (at-least-once).
   * The interrupted delivery did not fail, so it does not use up one of the job's attempts.
   */
  recoverRunning(now: number): number {
    return this.db
      .prepare(
        `UPDATE iii_queue_jobs SET status = 'ready', available_at = ?, attempts = MAX(attempts - 1, 0)
         WHERE status = 'running'`,
      )
      .run(now).changes;
  }

  /** When the earliest ready job of a queue that is not yet due at `now` becomes due, if any. */
  nextDueAfter(queue: string, now: number): number | undefined {
    const row = this.nextDueStmt.get(queue, now) as { next: number | null } | undefined;
    return row?.next ?? undefined;
  }

  counts(queue: string): Record<JobStatus, number> {
    const counts: Record<JobStatus, number> = { ready: 0, running: 0, dead: 0 };
    for (const row of this.countStmt.all(queue) as Array<{ status: JobStatus; n: number }>) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  deadJobs(queue: string, offset: number, limit: number): StoredJob[] {
    return (this.deadPageStmt.all(queue, limit, offset) as JobRow[]).map(toJob);
  }

  redriveAll(queue: string, now: number): number {
    return this.redriveAllStmt.run(now, queue).changes;
  }

  redriveOne(queue: string, id: string, now: number): boolean {
    return this.redriveOneStmt.run(now, queue, id).changes === 1;
  }

  discardOne(queue: string, id: string): boolean {
    return this.discardOneStmt.run(queue, id).changes === 1;
  }
}

/** Databases written before per-job retry settings existed get their columns (NULL: the queue's settings). */
function addMissingColumns(db: Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(iii_queue_jobs)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const column of ['max_attempts', 'backoff_ms']) {
    if (!columns.has(column)) db.exec(`ALTER TABLE iii_queue_jobs ADD COLUMN ${column} INTEGER`);
  }
}

function toJob(row: JobRow): StoredJob {
  return { ...row, data: JSON.parse(row.data) as unknown };
}
