/**
 * What only the durable adapter promises: data survives reopening the file, an acknowledged write
 * is committed, concurrent writes share one commit, and a failed commit acknowledges nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { EngineStorage } from '../../../../src/engine/core/types';
import { DATABASE_FILE, openStorage } from '../../../../src/engine/storage';

describe('SQLite storage', () => {
  let directory: string;
  const opened: EngineStorage[] = [];

  function open(): EngineStorage {
    const storage = openStorage({ kind: 'sqlite', directory });
    opened.push(storage);
    return storage;
  }

  /**
   * The rows in the table, read on the storage's own connection outside any transaction: what has
   * been committed (queued writes live in the store's overlay, not in the table). The engine holds
   * the file exclusively, so no second connection can look.
   */
  function committedRows(storage: EngineStorage): number {
    expect(storage.database.inTransaction).toBe(false);
    return (storage.database.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n;
  }

  beforeEach(() => {
    directory = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iii-sqlite-')), 'nested', 'data');
  });

  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
    fs.rmSync(path.dirname(path.dirname(directory)), { recursive: true, force: true });
  });

  it('creates the data directory and the iii.db file in it', () => {
    open();
    expect(fs.existsSync(path.join(directory, DATABASE_FILE))).toBe(true);
  });

  it('uses WAL with synchronous=NORMAL', () => {
    const { database } = open();
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('holds the database file exclusively while open, and lets it go on close', async () => {
    const storage = open();
    await storage.kv.set('state', 's', 'k', 1);
    const other = new BetterSqlite3(path.join(directory, DATABASE_FILE), { readonly: true, timeout: 0 });
    try {
      expect(() => other.prepare('SELECT COUNT(*) AS n FROM kv').get()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      await storage.close();
      expect(other.prepare('SELECT COUNT(*) AS n FROM kv').get()).toEqual({ n: 1 });
    } finally {
      other.close();
    }
  });

  it('sees the data and its insertion order after reopening the file', async () => {
    const first = open();
    await first.kv.set('state', 's', 'b', { v: 1 });
    await first.kv.set('state', 's', 'a', 'two');
    await first.kv.set('state', 's', 'b', { v: 3 });
    await first.close();

    const second = open();
    await expect(second.kv.get('state', 's', 'b')).resolves.toEqual({ v: 3 });
    await second.kv.set('state', 's', 'c', 4);
    await expect(second.kv.entries('state', 's')).resolves.toEqual([
      ['b', { v: 3 }],
      ['a', 'two'],
      ['c', 4],
    ]);
    await expect(second.kv.scopes('state')).resolves.toEqual(['s']);
  });

  it('commits writes still queued when the storage is closed', async () => {
    const first = open();
    void first.kv.set('state', 's', 'k', 'queued');
    await first.close();

    const second = open();
    await expect(second.kv.get('state', 's', 'k')).resolves.toBe('queued');
  });

  it('has committed a write by the time its promise resolves', async () => {
    const storage = open();
    const write = storage.kv.set('state', 's', 'k', 1);
    expect(committedRows(storage)).toBe(0);
    await write;
    expect(committedRows(storage)).toBe(1);
  });

  it('commits the writes of one tick together', async () => {
    const storage = open();
    const writes = Array.from({ length: 100 }, (_, i) => storage.kv.set('state', 's', `k${i}`, i));
    expect(committedRows(storage)).toBe(0);
    await writes[0];
    // The first acknowledgement already carries every write of that tick: one transaction.
    expect(committedRows(storage)).toBe(100);
    await Promise.all(writes);
  });

  it('rejects every write of a batch whose commit fails, and keeps none of them', async () => {
    const storage = open();
    await storage.kv.set('state', 's', 'kept', 'yes');
    // A statement of the batch fails inside its transaction (as a full disk or an I/O error would).
    storage.database.exec("CREATE TEMP TRIGGER refuse_a BEFORE INSERT ON kv WHEN NEW.key = 'a' BEGIN SELECT RAISE(ABORT, 'refused'); END");

    const results = await Promise.allSettled([storage.kv.delete('state', 's', 'kept'), storage.kv.set('state', 's', 'a', 1)]);
    storage.database.exec('DROP TRIGGER refuse_a');

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_WRITE_FAILED' });
    await expect(storage.kv.get('state', 's', 'a')).resolves.toBeUndefined();
    await expect(storage.kv.get('state', 's', 'kept')).resolves.toBe('yes');
    await expect(storage.kv.set('state', 's', 'a', 2)).resolves.toBeUndefined();
  });

  it('answers point reads in step with every committed write, small and large values, deletes and absent keys', async () => {
    const storage = open();
    const large = 'x'.repeat(10_000);
    await expect(storage.kv.get('state', 's', 'k')).resolves.toBeUndefined();
    await storage.kv.set('state', 's', 'k', { n: 1 });
    await expect(storage.kv.get('state', 's', 'k')).resolves.toEqual({ n: 1 });
    await storage.kv.set('state', 's', 'k', large);
    await expect(storage.kv.get('state', 's', 'k')).resolves.toBe(large);
    await storage.kv.set('state', 's', 'k', { n: 2 });
    await expect(storage.kv.get('state', 's', 'k')).resolves.toEqual({ n: 2 });
    await storage.kv.delete('state', 's', 'k');
    await expect(storage.kv.get('state', 's', 'k')).resolves.toBeUndefined();
    // Separators cannot make two keys collide.
    await storage.kv.set('state', 'a', 'bc', 'first');
    await storage.kv.set('state', 'ab', 'c', 'second');
    await expect(storage.kv.get('state', 'a', 'bc')).resolves.toBe('first');
    // Each read is a fresh value: changing one does not change the next.
    const read = (await storage.kv.get('state', 's', 'k')) as { n: number } | undefined;
    expect(read).toBeUndefined();
    await storage.kv.set('state', 's', 'obj', { n: 3 });
    const first = (await storage.kv.get('state', 's', 'obj')) as { n: number };
    first.n = 99;
    await expect(storage.kv.get('state', 's', 'obj')).resolves.toEqual({ n: 3 });
  });

  it('reports a data directory that cannot be created with STORAGE_OPEN_FAILED', () => {
    const file = path.join(os.tmpdir(), `iii-not-a-dir-${process.pid}-${Date.now()}`);
    fs.writeFileSync(file, 'x');
    try {
      expect(() => openStorage({ kind: 'sqlite', directory: path.join(file, 'data') })).toThrow(
        expect.objectContaining({ code: 'STORAGE_OPEN_FAILED' }),
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
