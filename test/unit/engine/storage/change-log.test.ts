import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { EngineStorage, Json } from '../../../../src/engine/core/types';
import { openStorage } from '../../../../src/engine/storage';

const set = (scope: string, key: string, value: Json) => ({ scope, key, compute: () => ({ value }) });
const del = (scope: string, key: string) => ({ scope, key, compute: () => ({ delete: true as const }) });

describe.each(['memory', 'sqlite'] as const)('state change log (%s storage)', (kind) => {
  let directory: string;
  let storage: EngineStorage;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-log-'));
    storage = kind === 'memory' ? openStorage({ kind }) : openStorage({ kind, directory });
  });

  afterEach(async () => {
    await storage.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('records every write with a global seq, a per-key version, the event type and both values', async () => {
    const log = storage.stateLog;
    await Promise.all([log.write(set('s', 'a', 1)), log.write(set('s', 'b', 1)), log.write(set('s', 'a', 2))]);
    await log.write(del('s', 'a'));
    await log.write(set('s', 'a', 3));
    expect(log.read(0, 100).map(({ at: _at, ...rest }) => rest)).toEqual([
      { seq: 1, scope: 's', key: 'a', version: 1, event_type: 'state:created', old_value: null, new_value: 1 },
      { seq: 2, scope: 's', key: 'b', version: 1, event_type: 'state:created', old_value: null, new_value: 1 },
      { seq: 3, scope: 's', key: 'a', version: 2, event_type: 'state:updated', old_value: 1, new_value: 2 },
      { seq: 4, scope: 's', key: 'a', version: 3, event_type: 'state:deleted', old_value: 2, new_value: null },
      { seq: 5, scope: 's', key: 'a', version: 4, event_type: 'state:created', old_value: null, new_value: 3 },
    ]);
    expect(log.head()).toBe(5);
    expect(await storage.kv.get('state', 's', 'a')).toBe(3);
  });

  it('publishes a commit to listeners only once the records are readable', async () => {
    const seen: Array<[number, number]> = [];
    storage.stateLog.onCommit((head) => seen.push([head, storage.stateLog.read(0, 10).length]));
    await Promise.all([storage.stateLog.write(set('s', 'a', 1)), storage.stateLog.write(set('s', 'b', 1))]);
    expect(seen[seen.length - 1]).toEqual([2, 2]);
  });

  it('applies an idempotency key once: a repeat writes nothing, appends nothing and gets the first reply', async () => {
    const log = storage.stateLog;
    const increment = (key: string) => ({
      scope: 'm',
      key: 'n',
      compute: (current: Json | undefined) => ({ value: ((current as number | undefined) ?? 0) + 1 }),
      idempotencyKey: key,
      reply: (previous: Json | undefined, next: Json | undefined) => ({ previous: previous ?? null, next: next ?? null }),
    });
    // The repeat is queued in the same tick as the first: the pending key counts too.
    const [first, repeat] = await Promise.all([log.write(increment('k1')), log.write(increment('k1'))]);
    const later = await log.write(increment('k1'));
    await log.write(increment('k2'));
    expect(first).toMatchObject({ duplicate: false, previous: undefined });
    expect(repeat).toEqual({ duplicate: true, reply: { previous: null, next: 1 } });
    expect(later).toEqual({ duplicate: true, reply: { previous: null, next: 1 } });
    expect(await storage.kv.get('state', 'm', 'n')).toBe(2);
    expect(log.read(0, 10).map((r) => r.version)).toEqual([1, 2]);
  });

  it('writes nothing and numbers nothing when computing the value throws', async () => {
    const log = storage.stateLog;
    await expect(
      log.write({
        scope: 's',
        key: 'k',
        compute: () => {
          throw new Error('no');
        },
      }),
    ).rejects.toThrow('no');
    await log.write(set('s', 'k', 1));
    expect(log.read(0, 10).map((r) => [r.seq, r.version])).toEqual([[1, 1]]);
  });

  it('reads the same records whether a reader keeps up (the in-memory tail) or lags beyond it (the table)', async () => {
    const log = storage.stateLog;
    const total = 5_000; // beyond the 4,096 records the tail keeps
    for (let i = 0; i < total; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => log.write(set('s', `k${(i + j) % 7}`, { n: i + j }))));
    }
    const seen: number[] = [];
    for (let after = 0; after < log.head();) {
      const batch = log.read(after, 256);
      expect(batch.length).toBeGreaterThan(0);
      for (const record of batch) expect(record.new_value).toEqual({ n: record.seq - 1 });
      seen.push(...batch.map((r) => r.seq));
      after = (batch[batch.length - 1] as { seq: number }).seq;
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(log.read(total - 3, 10).map((r) => [r.seq, r.key, r.version])).toEqual([
      [4998, `k${4997 % 7}`, Math.floor(4997 / 7) + 1],
      [4999, `k${4998 % 7}`, Math.floor(4998 / 7) + 1],
      [5000, `k${4999 % 7}`, Math.floor(4999 / 7) + 1],
    ]);
    expect(log.read(total, 10)).toEqual([]);
  });

  it('hands every reader its own copy of the values', async () => {
    const log = storage.stateLog;
    await log.write(set('s', 'a', { tags: ['x'] }));
    const [first] = log.read(0, 1);
    (first?.new_value as { tags: string[] }).tags.push('mutated');
    expect(log.read(0, 1)[0]?.new_value).toEqual({ tags: ['x'] });
  });

  it('compacts to a count and an age, keeps what a live trigger needs from the age limit, and never reuses a seq', async () => {
    const log = storage.stateLog;
    for (let i = 0; i < 10; i++) await log.write(set('s', `k${i}`, i));
    expect(log.compact({ maxRecords: 4, maxAgeMs: 1e9 })).toBe(6);
    expect(log.oldest()).toBe(7);
    // Everything is older than -1 ms, but a live cursor at 8 keeps 8..10.
    expect(log.compact({ maxRecords: 100, maxAgeMs: -1 }, 8)).toBe(1);
    expect(log.read(0, 100).map((r) => r.seq)).toEqual([8, 9, 10]);
    expect(log.compact({ maxRecords: 100, maxAgeMs: -1 })).toBe(3);
    expect(log.oldest()).toBe(11);
    await log.write(set('s', 'k0', 'again'));
    expect(log.read(0, 10).map((r) => [r.seq, r.version])).toEqual([[11, 2]]);
  });
  it('drops the version rows of deleted keys once their delete is compacted, and no version ever goes back', async () => {
    const log = storage.stateLog;
    const versionRows = (): Array<[string, string, number]> =>
      (
        storage.database.prepare('SELECT scope, key, version FROM state_versions ORDER BY scope, key').all() as Array<{
          scope: string;
          key: string;
          version: number;
        }>
      ).map((row) => [row.scope, row.key, row.version]);
    await log.write(set('s', 'gone', 1));
    await log.write(set('s', 'gone', 2));
    await log.write(del('s', 'gone')); // version 3
    await log.write(set('s', 'kept', 1));
    await log.write(set('t', 'other', 1));
    await log.write(del('t', 'other')); // version 2, its delete still in the log below

    // Keeps the last record only: the delete of s/gone is compacted, the one of t/other is not.
    log.compact({ maxRecords: 1, maxAgeMs: 1e9 });
    expect(versionRows()).toEqual([
      ['s', 'kept', 1],
      ['t', 'other', 2],
    ]);
    // A re-created key continues above its old versions; so does a new key of the same scope.
    await log.write(set('s', 'gone', 'again'));
    await log.write(set('s', 'new', 1));
    await log.write(set('s', 'kept', 2));
    await log.write(set('t', 'other', 'again'));
    await log.write(set('u', 'fresh', 1));
    expect(log.read(6, 10).map((r) => [r.scope, r.key, r.version])).toEqual([
      ['s', 'gone', 4],
      ['s', 'new', 4],
      ['s', 'kept', 2],
      ['t', 'other', 3],
      ['u', 'fresh', 1],
    ]);
  });
});

/** A fresh data directory for each test of the enclosing describe block, removed after it. */
function freshDirectoryPerTest(): () => string {
  let directory = '';
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-log-'));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });
  return () => directory;
}

describe('state version compaction across a restart (sqlite)', () => {
  const dataDirectory = freshDirectoryPerTest();

  it('keeps the scope floor, so a key deleted and compacted before the restart continues its numbering', async () => {
    const directory = dataDirectory();
    const first = openStorage({ kind: 'sqlite', directory });
    for (let i = 0; i < 5; i++) await first.stateLog.write(set('s', 'k', i));
    await first.stateLog.write(del('s', 'k')); // version 6
    first.stateLog.compact({ maxRecords: 100, maxAgeMs: -1 });
    await first.close();
    const second = openStorage({ kind: 'sqlite', directory });
    await second.stateLog.write(set('s', 'k', 'back'));
    expect(second.stateLog.read(0, 10).map((r) => [r.key, r.version])).toEqual([['k', 7]]);
    await second.close();
  });

  it('upgrades a database whose state_versions predates the seq and deleted columns, keeping its rows', async () => {
    const directory = dataDirectory();
    const raw = new BetterSqlite3(path.join(directory, 'iii.db'));
    raw.exec(
      'CREATE TABLE state_versions (scope TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID',
    );
    raw.prepare("INSERT INTO state_versions VALUES ('s', 'old', 9)").run();
    raw.close();
    const storage = openStorage({ kind: 'sqlite', directory });
    storage.stateLog.compact({ maxRecords: 100, maxAgeMs: -1 });
    await storage.stateLog.write(set('s', 'old', 'next'));
    expect(storage.stateLog.read(0, 10).map((r) => [r.key, r.version])).toEqual([['old', 10]]);
    await storage.close();
  });
});

describe('state change log durability (sqlite)', () => {
  const dataDirectory = freshDirectoryPerTest();

  it('commits the record in the same transaction as the value: after reopening both are there, with the head', async () => {
    const directory = dataDirectory();
    const first = openStorage({ kind: 'sqlite', directory });
    await first.stateLog.write(set('s', 'a', 1));
    await first.stateLog.write(set('s', 'a', 2));
    first.stateLog.compact({ maxRecords: 100, maxAgeMs: -1 });
    // What was committed, read on the engine's own connection outside a transaction (it holds
    // the file exclusively while open).
    const raw = first.database;
    expect(raw.inTransaction).toBe(false);
    expect(raw.prepare("SELECT value FROM kv WHERE namespace = 'state' AND key = 'a'").get()).toEqual({ value: '2' });
    expect(raw.prepare("SELECT value FROM state_log_meta WHERE name = 'head'").get()).toEqual({ value: 2 });
    await first.close();
    const second = openStorage({ kind: 'sqlite', directory });
    await second.stateLog.write(set('s', 'a', 3));
    expect(second.stateLog.read(0, 10).map((r) => [r.seq, r.version])).toEqual([[3, 3]]);
    await second.close();
  });

  it('numbers on after a restart from the newest record, also when a compaction had dropped every record before later writes', async () => {
    const directory = dataDirectory();
    const first = openStorage({ kind: 'sqlite', directory });
    await first.stateLog.write(set('s', 'a', 1));
    await first.stateLog.write(set('s', 'b', 1));
    expect(first.stateLog.compact({ maxRecords: 100, maxAgeMs: -1 })).toBe(2);
    await first.stateLog.write(set('s', 'c', 1));
    await first.stateLog.write(set('s', 'd', 1));
    await first.close();
    const second = openStorage({ kind: 'sqlite', directory });
    expect(second.stateLog.head()).toBe(4);
    await second.stateLog.write(set('s', 'e', 1));
    expect(second.stateLog.read(0, 10).map((r) => [r.seq, r.key])).toEqual([
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    expect(second.stateLog.compact({ maxRecords: 100, maxAgeMs: -1 })).toBe(3);
    await second.close();
    const third = openStorage({ kind: 'sqlite', directory });
    expect(third.stateLog.head()).toBe(5);
    await third.stateLog.write(set('s', 'f', 1));
    expect(third.stateLog.read(0, 10).map((r) => r.seq)).toEqual([6]);
    await third.close();
  });

  it('reads across a restart: records committed before it (the table) then after it (the tail), in order', async () => {
    const directory = dataDirectory();
    const first = openStorage({ kind: 'sqlite', directory });
    await first.stateLog.write(set('s', 'a', 1));
    await first.stateLog.write(set('s', 'b', 1));
    await first.close();
    const second = openStorage({ kind: 'sqlite', directory });
    await second.stateLog.write(set('s', 'a', 2));
    expect(second.stateLog.read(0, 10).map((r) => [r.seq, r.key, r.version])).toEqual([
      [1, 'a', 1],
      [2, 'b', 1],
      [3, 'a', 2],
    ]);
    expect(second.stateLog.read(1, 1).map((r) => r.seq)).toEqual([2]);
    await second.close();
  });
});
