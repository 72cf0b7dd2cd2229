/**
 * One running engine per data directory. Two engines on one directory would each number the
 * change log on their own and corrupt it (their writes collide on the sequence), so an engine
 * holds an exclusive SQLite lock on `<directory>/engine.lock` for as long as its storage is open.
 * SQLite's file locks are the operating system's: a process that dies, even by `kill -9`, drops
 * them, so a crash never leaves a stale lock that blocks the restart.
 */
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { EngineError } from '../core/errors';

/** The lock file inside the data directory (an empty SQLite database; its lock is the point). */
export const LOCK_FILE = 'engine.lock';

/** How long a starting engine waits for a predecessor that is still shutting down to let go. */
const DEFAULT_WAIT_MS = 2_000;

/** The held lock; `release()` is idempotent. */
export interface DataDirectoryLock {
  release(): void;
}

/**
 * Takes the directory's lock or throws `DATA_DIR_IN_USE` after `waitMs`. The directory must exist.
 */
export function lockDataDirectory(directory: string, waitMs = DEFAULT_WAIT_MS): DataDirectoryLock {
  const file = path.join(directory, LOCK_FILE);
  const db = new BetterSqlite3(file, { timeout: waitMs });
  try {
    // An open exclusive transaction keeps every other connection, in this process or another, out.
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new EngineError(
        'DATA_DIR_IN_USE',
        `Another running engine uses the data directory ${directory} (it holds ${file}). ` +
          'Stop it first, or give this engine its own data directory (III_DATA_DIR).',
      );
    }
    throw err;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
