/**
 * Opens the engine's storage: a durable SQLite file (`<directory>/iii.db`) or a memory-only store.
 * Either way the engine gets a `KvStore` and a better-sqlite3 database for workers that keep
 * their own tables (the memory kind gives them a `:memory:` database).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { EngineError } from '../core/errors';
import type { ChangeRecord, EngineStorage, KvStore, LoggedWrite, LoggedWriteOutcome, LogRetention, StateLog } from '../core/types';
import { StateChangeLog } from './change-log';
import { lockDataDirectory, type DataDirectoryLock } from './data-dir-lock';
import { MemoryKvStore } from './memory-kv';
import { SqliteKvStore } from './sqlite-kv';

/** The KV namespace that holds state scopes (the one the change log records). */
export const STATE_NAMESPACE = 'state';

export { MemoryKvStore } from './memory-kv';
export { SqliteKvStore } from './sqlite-kv';
export { LOCK_FILE } from './data-dir-lock';

export type StorageOptions = { kind: 'sqlite'; directory: string } | { kind: 'memory' };

/** The database file inside the data directory. */
export const DATABASE_FILE = 'iii.db';

export function openStorage(options: StorageOptions): EngineStorage {
  if (options.kind === 'memory') {
    const db = new BetterSqlite3(':memory:');
    const log = new StateChangeLog(db);
    const kv = new MemoryKvStore(log);
    return new OpenedStorage(kv, new LoggedState(log, kv), db, () => kv.close());
  }
  const lock = lockDirectory(options.directory);
  let db: Database | undefined;
  try {
    db = openDatabaseFile(options.directory);
    const log = new StateChangeLog(db);
    const kv = new SqliteKvStore(db, log);
    const opened = db;
    return new OpenedStorage(kv, new LoggedState(log, kv), db, () => {
      // The lock goes last: a successor may open the file only once this database is closed.
      try {
        kv.close();
        if (opened.open) opened.close();
      } finally {
        lock.release();
      }
    });
  } catch (err) {
    db?.close();
    lock.release();
    throw err;
  }
}

/** Creates the directory and takes its one-engine lock (`DATA_DIR_IN_USE` when another engine holds it). */
function lockDirectory(directory: string): DataDirectoryLock {
  try {
    fs.mkdirSync(directory, { recursive: true });
  } catch (err) {
    throw new EngineError('STORAGE_OPEN_FAILED', `Cannot create the data directory ${directory}: ${(err as Error).message}`);
  }
  return lockDataDirectory(directory);
}

function openDatabaseFile(directory: string): Database {
  const file = path.join(directory, DATABASE_FILE);
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (err) {
    throw new EngineError('STORAGE_OPEN_FAILED', `Cannot open the engine database ${file}: ${(err as Error).message}`);
  }
  // The engine is the file's only user while it runs (one engine per data directory, see
  // `lockDirectory`): an exclusive lock taken at the first access and held until close spares every
  // transaction and every read outside one its file-lock system calls (about 26 per POST of the
  // reference app), and keeps the WAL index in memory. Set before the first access, so also for a
  // file that is already in WAL mode. Other processes cannot open the file until the engine stops.
  db.pragma('locking_mode = EXCLUSIVE');
  // WAL + NORMAL: a committed transaction survives a crash of the process (not an OS crash), and
  // commits cost no fsync of the main file, which is what makes group commit cheap.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The change log as workers see it: writes go through the KV store's transactions. */
class LoggedState implements StateLog {
  constructor(
    private readonly log: StateChangeLog,
    private readonly kv: MemoryKvStore | SqliteKvStore,
  ) {}

  write(write: LoggedWrite): Promise<LoggedWriteOutcome> {
    return this.kv.writeLogged(STATE_NAMESPACE, write);
  }

  read(afterSeq: number, limit: number): ChangeRecord[] {
    return this.log.read(afterSeq, limit);
  }

  head(): number {
    return this.log.head();
  }

  oldest(): number {
    return this.log.oldest();
  }

  onCommit(listener: (head: number) => void): () => void {
    return this.log.onCommit(listener);
  }

  compact(retention: LogRetention, keepFrom?: number): number {
    return this.log.compact(retention, keepFrom);
  }
}

class OpenedStorage implements EngineStorage {
  private closing: Promise<void> | undefined;

  constructor(
    readonly kv: KvStore,
    readonly stateLog: StateLog,
    readonly database: Database,
    private readonly closeKv: () => void,
  ) {}

  /** Commits pending writes, then closes the database. Idempotent (later calls share the first). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      try {
        this.closeKv();
        if (this.database.open) this.database.close();
        resolve();
      } catch (err) {
        reject(err);
      }
    });
    return this.closing;
  }
}
