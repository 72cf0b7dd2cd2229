/**
 * The KvStore contract, run against every adapter: what the state/stream/cron workers may rely on
 * whichever storage the engine was started with.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineStorage, Json, WriteJournal } from '../../../../src/engine/core/types';
import { openStorage } from '../../../../src/engine/storage';

interface Harness {
  storage: EngineStorage;
  dispose(): Promise<void>;
}

const factories: Array<[string, () => Harness]> = [
  [
    'memory',
    () => {
      const storage = openStorage({ kind: 'memory' });
      return { storage, dispose: () => storage.close() };
    },
  ],
  [
    'sqlite',
    () => {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-kv-contract-'));
      const storage = openStorage({ kind: 'sqlite', directory });
      return {
        storage,
        dispose: async () => {
          await storage.close();
          fs.rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(factories)('KvStore contract (%s)', (_name, create) => {
  let harness: Harness;
  let kv: EngineStorage['kv'];

  beforeEach(() => {
    harness = create();
    kv = harness.storage.kv;
  });

  afterEach(async () => {
    await harness.dispose();
  });

  describe('get / set / delete', () => {
    it('resolves undefined for a missing key', async () => {
      await expect(kv.get('state', 's', 'missing')).resolves.toBeUndefined();
    });

    it('returns undefined as the previous value of a new key, then the old value', async () => {
      await expect(kv.set('state', 's', 'k', { v: 1 })).resolves.toBeUndefined();
      await expect(kv.set('state', 's', 'k', { v: 2 })).resolves.toEqual({ v: 1 });
      await expect(kv.get('state', 's', 'k')).resolves.toEqual({ v: 2 });
    });

    it.each<[string, Json]>([
      ['an object', { a: [1, 'x', { b: null }] }],
      ['an array', [1, 2, 3]],
      ['a string', 'héllo \u{1F600}'],
      ['a number', 3.25],
      ['a boolean', false],
      ['null', null],
    ])('round-trips %s', async (_kind, value) => {
      await kv.set('state', 's', 'k', value);
      await expect(kv.get('state', 's', 'k')).resolves.toEqual(value);
    });

    it('stores null as a value distinct from a missing key', async () => {
      await kv.set('state', 's', 'k', null);
      await expect(kv.get('state', 's', 'k')).resolves.toBeNull();
      await expect(kv.set('state', 's', 'k', 1)).resolves.toBeNull();
    });

    it('resolves the deleted value, and undefined when nothing was there', async () => {
      await kv.set('state', 's', 'k', 'v');
      await expect(kv.delete('state', 's', 'k')).resolves.toBe('v');
      await expect(kv.delete('state', 's', 'k')).resolves.toBeUndefined();
      await expect(kv.get('state', 's', 'k')).resolves.toBeUndefined();
    });

    it('keeps namespaces and scopes apart', async () => {
      await kv.set('state', 'a', 'k', 1);
      await kv.set('state', 'b', 'k', 2);
      await kv.set('stream', 'a', 'k', 3);
      await expect(kv.get('state', 'a', 'k')).resolves.toBe(1);
      await expect(kv.get('state', 'b', 'k')).resolves.toBe(2);
      await expect(kv.get('stream', 'a', 'k')).resolves.toBe(3);
    });

    it('hands out copies, so mutating a read value does not change the store', async () => {
      const value = { list: [1] };
      await kv.set('state', 's', 'k', value);
      value.list.push(2);
      const read = (await kv.get('state', 's', 'k')) as { list: number[] };
      read.list.push(3);
      await expect(kv.get('state', 's', 'k')).resolves.toEqual({ list: [1] });
    });

    it('keeps __proto__ keys and values as plain data', async () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}}') as Json;
      await kv.set('state', 's', '__proto__', value);
      const read = (await kv.get('state', 's', '__proto__')) as Record<string, unknown>;
      expect(Object.keys(read)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      await expect(kv.entries('state', 's')).resolves.toEqual([['__proto__', read]]);
    });

    it('rejects a value JSON cannot carry and stores nothing', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      await expect(kv.set('state', 's', 'k', cyclic as Json)).rejects.toMatchObject({ code: 'STORAGE_INVALID_VALUE' });
      await expect(kv.set('state', 's', 'k', undefined as unknown as Json)).rejects.toMatchObject({
        code: 'STORAGE_INVALID_VALUE',
      });
      await expect(kv.get('state', 's', 'k')).resolves.toBeUndefined();
    });

    it('stores a large value intact', async () => {
      const value = 'x'.repeat(2_000_000);
      await kv.set('state', 's', 'big', value);
      await expect(kv.get('state', 's', 'big')).resolves.toBe(value);
    });
  });

  describe('ordering of concurrent calls', () => {
    it('applies writes issued in one tick in call order', async () => {
      const results = await Promise.all([
        kv.set('state', 's', 'k', 1),
        kv.set('state', 's', 'k', 2),
        kv.delete('state', 's', 'k'),
        kv.set('state', 's', 'k', 3),
      ]);
      expect(results).toEqual([undefined, 1, 2, undefined]);
      await expect(kv.get('state', 's', 'k')).resolves.toBe(3);
    });

    it('lets a read issued after a write see it, before the write is awaited', async () => {
      const write = kv.set('state', 's', 'k', 'new');
      const read = kv.get('state', 's', 'k');
      await expect(read).resolves.toBe('new');
      await write;
    });

    it('lists writes issued before the list, before they are awaited', async () => {
      const writes = [kv.set('state', 's', 'a', 1), kv.set('state', 's', 'b', 2)];
      await expect(kv.list('state', 's')).resolves.toEqual([1, 2]);
      await Promise.all(writes);
    });

    it('acknowledges a burst of concurrent writes, every one readable afterwards', async () => {
      const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key, i) => kv.set('state', 'burst', key, i)));
      await expect(kv.list('state', 'burst')).resolves.toEqual(keys.map((_, i) => i));
    });
  });

  describe('list / entries / scopes', () => {
    it('lists the values of a scope in insertion order', async () => {
      await kv.set('state', 's', 'b', 'first');
      await kv.set('state', 's', 'a', 'second');
      await kv.set('state', 's', 'c', 'third');
      await expect(kv.list('state', 's')).resolves.toEqual(['first', 'second', 'third']);
      await expect(kv.entries('state', 's')).resolves.toEqual([
        ['b', 'first'],
        ['a', 'second'],
        ['c', 'third'],
      ]);
    });

    it('keeps the insertion position of an overwritten key', async () => {
      await kv.set('state', 's', 'a', 1);
      await kv.set('state', 's', 'b', 2);
      await kv.set('state', 's', 'a', 3);
      await expect(kv.entries('state', 's')).resolves.toEqual([
        ['a', 3],
        ['b', 2],
      ]);
    });

    it('moves a deleted and re-added key to the end', async () => {
      await kv.set('state', 's', 'a', 1);
      await kv.set('state', 's', 'b', 2);
      await kv.delete('state', 's', 'a');
      await kv.set('state', 's', 'a', 3);
      await expect(kv.list('state', 's')).resolves.toEqual([2, 3]);
    });

    it('lists an unknown scope as empty', async () => {
      await expect(kv.list('state', 'nope')).resolves.toEqual([]);
      await expect(kv.entries('state', 'nope')).resolves.toEqual([]);
    });

    it('reports the scopes of a namespace that hold keys, and only those', async () => {
      await kv.set('state', 'a', 'k', 1);
      await kv.set('state', 'b', 'k', 1);
      await kv.set('state', 'gone', 'k', 1);
      await kv.delete('state', 'gone', 'k');
      await kv.set('other', 'c', 'k', 1);
      expect((await kv.scopes('state')).sort()).toEqual(['a', 'b']);
      await expect(kv.scopes('empty')).resolves.toEqual([]);
    });
  });

  describe('close', () => {
    it('is idempotent and refuses later calls with STORAGE_CLOSED', async () => {
      await harness.storage.close();
      await harness.storage.close();
      await expect(kv.get('state', 's', 'k')).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
      await expect(kv.set('state', 's', 'k', 1)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
      await expect(kv.list('state', 's')).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
    });

    it('settles writes issued just before close', async () => {
      const write = kv.set('state', 's', 'k', 1);
      await harness.storage.close();
      await expect(write).resolves.toBeUndefined();
    });

    it('closes the database', async () => {
      await harness.storage.close();
      expect(harness.storage.database.open).toBe(false);
    });
  });

  describe('write journals', () => {
    /** A journal that writes a row of its own and notes what it saw, in order. */
    function journal(name: string, seen: string[], fail = false): WriteJournal {
      return {
        record: (previous) => {
          if (fail) throw new Error('journal refused');
          harness.storage.database.prepare('INSERT INTO journal (name) VALUES (?)').run(name);
          seen.push(`record ${name} ${JSON.stringify(previous ?? null)}`);
        },
        committed: () => void seen.push(`committed ${name}`),
      };
    }

    beforeEach(() => harness.storage.database.exec('CREATE TABLE journal (name TEXT)'));

    it('records each write with its previous value and announces it before the write resolves, in write order', async () => {
      const seen: string[] = [];
      const writes = [
        kv.set('state', 's', 'k', 1, journal('a', seen)).then(() => seen.push('resolved a')),
        kv.set('state', 's', 'k', 2, journal('b', seen)).then(() => seen.push('resolved b')),
        kv.delete('state', 's', 'k', journal('c', seen)).then(() => seen.push('resolved c')),
      ];
      await Promise.all(writes);
      expect(seen.filter((line) => line.startsWith('record'))).toEqual(['record a null', 'record b 1', 'record c 2']);
      expect(seen.filter((line) => line.startsWith('committed'))).toEqual(['committed a', 'committed b', 'committed c']);
      for (const name of ['a', 'b', 'c']) {
        expect(seen.indexOf(`committed ${name}`)).toBeLessThan(seen.indexOf(`resolved ${name}`));
      }
      expect(harness.storage.database.prepare('SELECT COUNT(*) AS n FROM journal').get()).toEqual({ n: 3 });
    });

    it('fails the write when its journal throws, and keeps neither the value nor the journal rows', async () => {
      const seen: string[] = [];
      await expect(kv.set('state', 's', 'k', 1, journal('bad', seen, true))).rejects.toThrow(/journal refused/);
      await expect(kv.get('state', 's', 'k')).resolves.toBeUndefined();
      expect(seen).toEqual([]);
      expect(harness.storage.database.prepare('SELECT COUNT(*) AS n FROM journal').get()).toEqual({ n: 0 });
    });
  });

  it('offers a usable database for workers with their own tables', () => {
    const db = harness.storage.database;
    db.exec('CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT)');
    db.prepare('INSERT INTO extra (note) VALUES (?)').run('hi');
    expect(db.prepare('SELECT note FROM extra').get()).toEqual({ note: 'hi' });
  });
});
