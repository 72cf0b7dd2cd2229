/**
 * The durable bookkeeping of state-trigger delivery, in the engine database: one cursor per
 * trigger identity (every change at or below it has been handled) and the dead-letter list of
 * reactions that failed every attempt.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Json } from '../../core/types';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS state_trigger_cursors (
    identity    TEXT PRIMARY KEY,
    function_id TEXT NOT NULL,
    config      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS state_dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    identity    TEXT NOT NULL,
    function_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    error       TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    failed_at   INTEGER NOT NULL
  );
`;

/** A trigger's durable position in the change log. */
export interface CursorRow {
  identity: string;
  function_id: string;
  /** The trigger's identifying config (scope, key, condition), as JSON text. */
  config: string;
  seq: number;
  updated_at: number;
}

/** A reaction parked after its last attempt failed. */
export interface DeadLetter {
  id: number;
  /** The trigger identity (function id + trigger type + config) it was delivered for. */
  identity: string;
  function_id: string;
  seq: number;
  scope: string;
  key: string;
  version: number;
  /** The state event the function received. */
  payload: Json;
  /** The last attempt's error (`code: message`). */
  error: string;
  attempts: number;
  failed_at: number;
}

type DeadLetterRow = Omit<DeadLetter, 'payload'> & { payload: string };

export class ReactionStore {
  private readonly s: {
    cursor: Statement<[string], CursorRow>;
    saveCursor: Statement<[string, string, string, number, number]>;
    cursors: Statement<[], CursorRow>;
    bury: Statement<[string, string, number, string, string, number, string, string, number, number]>;
    deadLetters: Statement<[{ fn: string | null; identity: string | null; limit: number }], DeadLetterRow>;
    deadLetter: Statement<[number], DeadLetterRow>;
    forget: Statement<[number]>;
    failedAgain: Statement<[string, number, number, number]>;
  };

  constructor(db: Database) {
    db.exec(SCHEMA);
    this.s = {
      cursor: db.prepare('SELECT * FROM state_trigger_cursors WHERE identity = ?'),
      saveCursor: db.prepare(
        'INSERT INTO state_trigger_cursors (identity, function_id, config, seq, updated_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (identity) DO UPDATE SET seq = MAX(seq, excluded.seq), function_id = excluded.function_id, updated_at = excluded.updated_at',
      ),
      cursors: db.prepare('SELECT * FROM state_trigger_cursors ORDER BY function_id, identity'),
      bury: db.prepare(
        'INSERT INTO state_dead_letters (identity, function_id, seq, scope, key, version, payload, error, attempts, failed_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deadLetters: db.prepare(
        'SELECT * FROM state_dead_letters WHERE (@fn IS NULL OR function_id = @fn) AND (@identity IS NULL OR identity = @identity) ORDER BY id LIMIT @limit',
      ),
      deadLetter: db.prepare('SELECT * FROM state_dead_letters WHERE id = ?'),
      forget: db.prepare('DELETE FROM state_dead_letters WHERE id = ?'),
      failedAgain: db.prepare('UPDATE state_dead_letters SET error = ?, attempts = attempts + ?, failed_at = ? WHERE id = ?'),
    };
  }

  cursor(identity: string): CursorRow | undefined {
    return this.s.cursor.get(identity);
  }

  /** Moves a cursor forward (never back: concurrent savers cannot undo each other's progress). */
  saveCursor(row: CursorRow): void {
    this.s.saveCursor.run(row.identity, row.function_id, row.config, row.seq, row.updated_at);
  }

  cursors(): CursorRow[] {
    return this.s.cursors.all();
  }

  bury(letter: Omit<DeadLetter, 'id'>): number {
    const result = this.s.bury.run(
      letter.identity,
      letter.function_id,
      letter.seq,
      letter.scope,
      letter.key,
      letter.version,
      JSON.stringify(letter.payload),
      letter.error,
      letter.attempts,
      letter.failed_at,
    );
    return Number(result.lastInsertRowid);
  }

  deadLetters(filter: { functionId?: string; identity?: string; limit?: number } = {}): DeadLetter[] {
    return this.s.deadLetters
      .all({ fn: filter.functionId ?? null, identity: filter.identity ?? null, limit: filter.limit ?? 100 })
      .map(toDeadLetter);
  }

  deadLetter(id: number): DeadLetter | undefined {
    const row = this.s.deadLetter.get(id);
    return row === undefined ? undefined : toDeadLetter(row);
  }

  forget(id: number): void {
    this.s.forget.run(id);
  }

  failedAgain(id: number, error: string, now: number): void {
    this.s.failedAgain.run(error, 1, now, id);
  }
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return { ...row, payload: JSON.parse(row.payload) as Json };
}
