import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openStorage } from '../../../../../src/engine/storage';
import { StreamEventLog } from '../../../../../src/engine/workers/stream/event-log';
import { streamMessage, type StreamChangeEvent } from '../../../../../src/engine/workers/stream/types';

let db: Database.Database;

beforeEach(() => {
  db = new Database(':memory:');
});

afterEach(() => db.close());

function log(maxEvents = 100, maxAgeMs = 60_000): StreamEventLog {
  return new StreamEventLog(db, { maxEvents, maxAgeMs });
}

function append(target: StreamEventLog, id: string | null, event: StreamChangeEvent, group = 'g') {
  return target.append(streamMessage('s', group, id, event));
}

describe('stream event log', () => {
  it('numbers the events of each group from 1 and versions each item from its creation', () => {
    const l = log();
    const frames = [
      append(l, 'a', { type: 'create', data: 1 }),
      append(l, 'a', { type: 'update', data: 2 }),
      append(l, 'b', { type: 'create', data: 3 }),
      append(l, null, { type: 'event', event: { type: 'ping', data: null } }),
      append(l, 'a', { type: 'delete', data: 2 }),
      append(l, 'a', { type: 'create', data: 4 }),
      append(l, 'x', { type: 'create', data: 5 }, 'other'),
    ];
    expect(frames.map((f) => [f.groupId, f.seq, f.version])).toEqual([
      ['g', 1, 1],
      ['g', 2, 2],
      ['g', 3, 1],
      ['g', 4, undefined],
      ['g', 5, 3],
      ['g', 6, 1],
      ['other', 1, 1],
    ]);
    expect(l.head('s', 'g')).toEqual({ seq: 6, epoch: expect.any(String) as unknown });
    expect(l.head('s', 'never')).toEqual({ seq: 0, epoch: l.head('s', 'g').epoch });
    expect(new StreamEventLog(new Database(':memory:'), { maxEvents: 1, maxAgeMs: 1 }).head('s', 'g').epoch).not.toBe(
      l.head('s', 'g').epoch,
    );
    expect(l.version('s', 'g', 'a')).toBe(1);
    expect(l.version('s', 'g', 'missing')).toBeUndefined();
  });

  it('replays exactly the events after a position, for the group or for one item', () => {
    const l = log();
    for (let i = 1; i <= 5; i++) append(l, `i${i % 2}`, { type: i <= 2 ? 'create' : 'update', data: i });
    const epoch = l.head('s', 'g').epoch;
    expect(l.replay('s', 'g', null, { since: 2, epoch })?.map((f) => f.seq)).toEqual([3, 4, 5]);
    expect(l.replay('s', 'g', 'i1', { since: 0, epoch })?.map((f) => [f.seq, f.event])).toEqual([
      [1, { type: 'create', data: 1 }],
      [3, { type: 'update', data: 3 }],
      [5, { type: 'update', data: 5 }],
    ]);
    expect(l.replay('s', 'g', null, { since: 5, epoch })).toEqual([]);
    // Without an epoch only the numbers are checked.
    expect(l.replay('s', 'g', null, { since: 4, epoch: undefined })?.map((f) => f.seq)).toEqual([5]);
  });

  it('answers a gap for a position retention no longer covers, one from the future, another epoch or a bad number', () => {
    const l = log(3);
    for (let i = 1; i <= 6; i++) append(l, 'a', { type: 'update', data: i });
    const epoch = l.head('s', 'g').epoch;
    expect(l.replay('s', 'g', null, { since: 3, epoch })?.map((f) => f.seq)).toEqual([4, 5, 6]);
    expect(l.replay('s', 'g', null, { since: 2, epoch })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: 7, epoch })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: 5, epoch: 'another-incarnation' })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: -1, epoch })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: 1.5, epoch })).toBeUndefined();
    expect(l.replay('s', 'never', null, { since: 0, epoch: 'stale' })).toBeUndefined();
    expect(l.replay('s', 'never', null, { since: 0, epoch: undefined })).toEqual([]);
    expect(l.replay('s', 'never', null, { since: 0, epoch })).toEqual([]);
  });

  it('keeps counting without history when max_events is 0', () => {
    const l = log(0);
    append(l, 'a', { type: 'create', data: 1 });
    append(l, 'a', { type: 'update', data: 2 });
    expect(l.head('s', 'g').seq).toBe(2);
    expect(l.replay('s', 'g', null, { since: 1, epoch: undefined })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: 2, epoch: undefined })).toEqual([]);
  });

  it('drops events older than the retention age on compaction, and then reports a gap for them', () => {
    const l = log(100, 1000);
    const old = l.append({ ...streamMessage('s', 'g', 'a', { type: 'create', data: 1 }), timestamp: 1_000 });
    l.append({ ...streamMessage('s', 'g', 'a', { type: 'update', data: 2 }), timestamp: 5_000 });
    expect(old.seq).toBe(1);
    expect(l.compact(5_500)).toBe(1);
    expect(l.replay('s', 'g', null, { since: 0, epoch: undefined })).toBeUndefined();
    expect(l.replay('s', 'g', null, { since: 1, epoch: undefined })?.map((f) => f.seq)).toEqual([2]);
  });

  it('keeps counters and history across a reopen of the same database', () => {
    append(log(), 'a', { type: 'create', data: 1 });
    const epoch = log().head('s', 'g').epoch;
    const reopened = log();
    const next = append(reopened, 'a', { type: 'update', data: 2 });
    expect([next.seq, next.version]).toEqual([2, 2]);
    expect(reopened.head('s', 'g').epoch).toBe(epoch);
    expect(reopened.replay('s', 'g', null, { since: 0, epoch })?.map((f) => f.event)).toEqual([
      { type: 'create', data: 1 },
      { type: 'update', data: 2 },
    ]);
  });

  it('numbers on after a reopen from the newest event, also when age compaction had dropped every event of the group', () => {
    const at = (timestamp: number, data: number) => ({ ...streamMessage('s', 'g', 'a', { type: 'update' as const, data }), timestamp });
    const first = log(100, 1000);
    for (let i = 1; i <= 3; i++) first.append(at(i * 1000, i));
    expect(log(100, 1000).head('s', 'g').seq).toBe(3);
    const second = log(100, 1000);
    expect(second.append(at(4000, 4)).seq).toBe(4);
    expect(second.compact(10_000)).toBe(4);
    const third = log(100, 1000);
    expect(third.head('s', 'g').seq).toBe(4);
    const next = third.append(at(11_000, 5));
    expect([next.seq, next.version]).toEqual([5, 5]);
    expect(third.replay('s', 'g', null, { since: 4, epoch: undefined })?.map((f) => f.seq)).toEqual([5]);
  });

  it('uses no number of a write whose transaction rolled back', () => {
    const l = log();
    const published: number[] = [];
    const journal = l.journal(
      { type: 'stream', timestamp: 1, streamName: 's', groupId: 'g', id: 'a' },
      () => ({ type: 'create', data: 1 }),
      (frame) => published.push(frame.seq),
    );
    expect(() =>
      db.transaction(() => {
        journal.record(undefined);
        throw new Error('the item write failed');
      })(),
    ).toThrow('the item write failed');
    journal.rolledBack?.(); // what the KV store does when its batch rolls back
    expect(published).toEqual([]);
    expect(append(l, 'a', { type: 'create', data: 2 }).seq).toBe(1);
  });

  it('numbers on without a hole after a KV batch that rolled back', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-event-log-'));
    const storage = openStorage({ kind: 'sqlite', directory });
    try {
      const l = new StreamEventLog(storage.database, { maxEvents: 100, maxAgeMs: 60_000 });
      const published: number[] = [];
      const write = (item: string): Promise<unknown> =>
        storage.kv.set(
          'stream',
          's:g',
          item,
          item,
          l.journal(
            { type: 'stream', timestamp: 1, streamName: 's', groupId: 'g', id: item },
            () => ({ type: 'create', data: item }),
            (frame) => published.push(frame.seq),
          ),
        );
      await write('a');
      // 'lost' is logged inside the batch, then a later write of the same batch fails it all.
      const refusing = {
        record: () => {
          throw new Error('refused');
        },
        committed: () => undefined,
      };
      const batch = await Promise.allSettled([write('lost'), storage.kv.set('other', 'x', 'y', 1, refusing)]);
      expect(batch.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      await write('b');
      expect(published).toEqual([1, 2]);
      expect(l.replay('s', 'g', null, { since: 0, epoch: undefined })?.map((f) => [f.id, f.seq])).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
    } finally {
      await storage.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('logs every write of one KV batch, more than one insert chunk of them, with versions right across a delete and re-create', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-event-log-'));
    const storage = openStorage({ kind: 'sqlite', directory });
    try {
      const l = new StreamEventLog(storage.database, { maxEvents: 1_000, maxAgeMs: 60_000 });
      const published: Array<[string, number, number | undefined]> = [];
      const journal = (item: string, event: (previous: unknown) => StreamChangeEvent | undefined) =>
        l.journal({ type: 'stream', timestamp: 1, streamName: 's', groupId: 'g', id: item }, event, (frame) =>
          published.push([item, frame.seq, frame.version]),
        );
      const set = (item: string, value: number) =>
        storage.kv.set(
          'stream',
          's:g',
          item,
          value,
          journal(item, (previous) => ({ type: previous === undefined ? 'create' : 'update', data: value })),
        );
      const remove = (item: string) =>
        storage.kv.delete(
          'stream',
          's:g',
          item,
          journal(item, (previous) => (previous === undefined ? undefined : { type: 'delete', data: 0 })),
        );
      await set('kept', 1);
      // One event-loop turn: one KV batch, one transaction.
      await Promise.all([
        ...Array.from({ length: 150 }, (_, i) => set(`i${i}`, i)),
        set('kept', 2),
        remove('kept'),
        set('kept', 3),
        set('kept', 4),
      ]);
      expect(published).toHaveLength(155);
      expect(published.map(([, seq]) => seq)).toEqual(Array.from({ length: 155 }, (_, i) => i + 1));
      expect(published.filter(([item]) => item === 'kept').map(([, , version]) => version)).toEqual([1, 2, 3, 1, 2]);
      expect(l.head('s', 'g').seq).toBe(155);
      expect(l.replay('s', 'g', null, { since: 0, epoch: undefined })?.map((f) => [f.id, f.seq, f.version])).toEqual(published);

      // The counters were written once per batch, and a reopened log continues from them.
      const reopened = new StreamEventLog(storage.database, { maxEvents: 1_000, maxAgeMs: 60_000 });
      expect(reopened.head('s', 'g').seq).toBe(155);
      expect(reopened.version('s', 'g', 'kept')).toBe(2);
      expect(reopened.version('s', 'g', 'i149')).toBe(1);
    } finally {
      await storage.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('compacts each group by age without an index on the time, and drops the index older databases had', () => {
    db.exec(
      'CREATE TABLE stream_log_events (stream_name TEXT NOT NULL, group_id TEXT NOT NULL, seq INTEGER NOT NULL, item_id TEXT, version INTEGER, at INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (stream_name, group_id, seq)) WITHOUT ROWID',
    );
    db.exec('CREATE INDEX stream_log_events_at ON stream_log_events (at)');
    const l = log(100, 1000);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stream_log_events'").all() as Array<{
      name: string;
    }>;
    expect(indexes.map((index) => index.name)).not.toContain('stream_log_events_at');
    const at = (group: string, timestamp: number) =>
      l.append({ ...streamMessage('s', group, 'a', { type: 'update', data: timestamp }), timestamp });
    at('g', 1_000);
    at('g', 2_000);
    at('g', 6_000);
    at('h', 1_500);
    at('h', 1_800);
    at('k', 7_000);
    // Cutoff 5_000 − 1_000 = 4_000: g keeps its last event, h loses both, k keeps its one.
    expect(l.compact(5_000)).toBe(4);
    expect(l.replay('s', 'g', null, { since: 2, epoch: undefined })?.map((f) => f.seq)).toEqual([3]);
    expect(l.replay('s', 'g', null, { since: 1, epoch: undefined })).toBeUndefined();
    expect(l.replay('s', 'h', null, { since: 1, epoch: undefined })).toBeUndefined();
    expect(l.head('s', 'h').seq).toBe(2);
    expect(l.replay('s', 'k', null, { since: 0, epoch: undefined })?.map((f) => f.seq)).toEqual([1]);
  });
});
