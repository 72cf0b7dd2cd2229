/**
 * The reference app's live parts end to end: metrics kept by a reaction, the `todos-live` stream
 * seen through a real WebSocket client, and data surviving a restart on SQLite. Nothing sleeps or
 * polls: `app.settle()` resolves once every reaction has caught up and every stream frame it caused
 * has reached the connected clients.
 */
import type { Todo } from '../../src/modules/todos/todo.entity';
import { portsOf, startApp, StreamRecorder, tempDataDir, type RunningApp } from './support/app';
import { itEmbeddedOnly } from '../support/semantics';

type Metrics = { total: number; completed: number; active: number };

/** What the list implies the metrics are. */
function impliedMetrics(todos: Todo[]): Metrics {
  const completed = todos.filter((t) => t.completed).length;
  return { total: todos.length, completed, active: todos.length - completed };
}

describe('todo app: metrics', () => {
  let app: RunningApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(async () => {
    await app.close();
  });

  async function metricsSettleTo(expected: Metrics): Promise<void> {
    await app.settle();
    expect((await app.api.metrics()).body).toEqual(expected);
  }

  it('starts at zero', async () => {
    const res = await app.api.metrics();
    expect([res.status, res.body]).toEqual([200, { total: 0, completed: 0, active: 0 }]);
  });

  it('follows create, toggle and delete, and matches the list', async () => {
    const a = (await app.api.create('a')).body;
    const b = (await app.api.create('b')).body;
    await app.api.create('c');
    await metricsSettleTo({ total: 3, completed: 0, active: 3 });

    await app.api.patch(a.id, { completed: true });
    await app.api.patch(b.id, { completed: true });
    await app.api.patch(b.id, { completed: false });
    await metricsSettleTo({ total: 3, completed: 1, active: 2 });

    await app.api.delete(a.id);
    await metricsSettleTo({ total: 2, completed: 0, active: 2 });
    expect((await app.api.metrics()).body).toEqual(impliedMetrics((await app.api.list()).body));
  });

  it('is not moved by renames, failed writes or deleting an unknown id', async () => {
    const a = (await app.api.create('a')).body;
    await metricsSettleTo({ total: 1, completed: 0, active: 1 });

    await app.api.patch(a.id, { title: 'renamed' });
    await app.api.create('');
    await app.api.delete('unknown');
    await metricsSettleTo({ total: 1, completed: 0, active: 1 });

    await app.api.patch(a.id, { completed: true });
    await metricsSettleTo({ total: 1, completed: 1, active: 0 });
  });

  it('stays consistent with the list under concurrent writes', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => app.api.create(`c${i}`)));
    await Promise.all(created.slice(0, 8).map((r) => app.api.patch(r.body.id, { completed: true })));
    await Promise.all(created.slice(5, 10).map((r) => app.api.delete(r.body.id)));

    await metricsSettleTo({ total: 15, completed: 5, active: 10 });
    expect((await app.api.metrics()).body).toEqual(impliedMetrics((await app.api.list()).body));
  });

  it('is published live to todos-live / metrics / global', async () => {
    const live = await StreamRecorder.join<Metrics>(app.stream, { stream: 'todos-live', group: 'metrics', item: 'global' });
    try {
      const a = (await app.api.create('a')).body;
      await app.api.patch(a.id, { completed: true });

      await app.settle();
      expect(live.messages.map((m) => m.event)).toEqual([
        { type: 'sync', data: null },
        { type: 'create', data: { total: 1, completed: 0, active: 1 } },
        { type: 'update', data: { total: 1, completed: 1, active: 0 } },
      ]);
      expect(live.messages.every((m) => m.id === 'global')).toBe(true);
    } finally {
      live.close();
    }
  });
});

describe('todo app: stream todos-live / all', () => {
  let app: RunningApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('syncs a joining client with the current todos', async () => {
    await app.api.create('one');
    await app.api.create('two');
    await app.settle(); // the mirroring reaction has run

    const live = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    try {
      const sync = live.messages[0];
      expect(sync.event.type).toBe('sync');
      expect(sync.id).toBeNull();
      expect(sync.event.type === 'sync' && sync.event.data).toEqual((await app.api.list()).body);
    } finally {
      live.close();
    }
  });

  it('sends create, update and delete with the todo id, in the order the writes were acknowledged', async () => {
    const live = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    try {
      const a = (await app.api.create('a')).body;
      const b = (await app.api.create('b')).body;
      await app.api.patch(a.id, { completed: true });
      await app.api.delete(b.id);
      await app.api.patch(a.id, { title: 'a2' });
      await app.api.delete(a.id);
      const c = (await app.api.create('c')).body;

      const expected = [
        `create:${a.id}`,
        `create:${b.id}`,
        `update:${a.id}`,
        `delete:${b.id}`,
        `update:${a.id}`,
        `delete:${a.id}`,
        `create:${c.id}`,
      ];
      await app.settle();
      expect(live.changes()).toEqual(expected);
      const events = live.messages.slice(1).map((m) => m.event);
      expect(events[2]).toEqual({ type: 'update', data: { ...a, completed: true, updatedAt: expect.any(String) } });
      expect(events[3]).toEqual({ type: 'delete', data: b });
    } finally {
      live.close();
    }
  });

  it('keeps the order across many quick writes to several todos', async () => {
    const live = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    try {
      const ids: string[] = [];
      const expected: string[] = [];
      for (let i = 0; i < 15; i++) {
        const todo = (await app.api.create(`t${i}`)).body;
        ids.push(todo.id);
        expected.push(`create:${todo.id}`);
        if (i % 3 === 0) {
          await app.api.patch(todo.id, { completed: true });
          expected.push(`update:${todo.id}`);
        }
        if (i % 5 === 0) {
          await app.api.delete(ids[i]);
          expected.push(`delete:${ids[i]}`);
        }
      }

      await app.settle();
      expect(live.changes()).toEqual(expected);
      const mirrored = [...(live.live?.items.values() ?? [])].map((t) => t.id).sort();
      expect(mirrored).toEqual((await app.api.list()).body.map((t) => t.id).sort());
    } finally {
      live.close();
    }
  });

  it('gives a group and an item subscription on one connection each event once', async () => {
    const todo = (await app.api.create('watched')).body;
    const recorder = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    const itemEvents: string[] = [];
    const item = recorder.client.join<Todo>(
      { stream: 'todos-live', group: 'all', item: todo.id },
      { onUpdate: (t) => itemEvents.push(`update:${t.id}`), onDelete: (t) => itemEvents.push(`delete:${t.id}`) },
    );
    try {
      expect(await item.synced).toBe(true);
      await app.api.patch(todo.id, { completed: true });
      const other = (await app.api.create('other')).body;
      await app.api.delete(todo.id);

      await app.settle();
      expect(recorder.changes()).toEqual([`update:${todo.id}`, `create:${other.id}`, `delete:${todo.id}`]);
      expect(itemEvents).toEqual([`update:${todo.id}`, `delete:${todo.id}`]);
    } finally {
      recorder.close();
    }
  });

  it('delivers the same changes to two clients', async () => {
    const first = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    const second = await StreamRecorder.join<Todo>(app.stream, { stream: 'todos-live', group: 'all' });
    try {
      const a = (await app.api.create('shared')).body;
      await app.api.patch(a.id, { completed: true });

      await app.settle();
      expect(first.changes()).toEqual([`create:${a.id}`, `update:${a.id}`]);
      expect(second.changes()).toEqual(first.changes());
    } finally {
      first.close();
      second.close();
    }
  });
});

describe('todo app: persistence', () => {
  it('keeps todos and metrics across an app restart on the same data directory', async () => {
    const data = tempDataDir();
    try {
      const first = await startApp({ dataDir: data.dir });
      let before: Todo[];
      try {
        const a = (await first.api.create('persist a')).body;
        await first.api.create('persist b');
        await first.api.patch(a.id, { completed: true });
        await first.settle();
        expect((await first.api.metrics()).body).toEqual({ total: 2, completed: 1, active: 1 });
        before = (await first.api.list()).body;
      } finally {
        await first.close();
      }

      const second = await startApp({ dataDir: data.dir });
      try {
        expect((await second.api.list()).body).toEqual(before);
        expect((await second.api.metrics()).body).toEqual({ total: 2, completed: 1, active: 1 });
        const live = await StreamRecorder.join<Todo>(second.stream, { stream: 'todos-live', group: 'all' });
        try {
          const sync = live.messages[0].event;
          expect(sync.type === 'sync' && sync.data).toEqual(before);
        } finally {
          live.close();
        }
        const c = await second.api.create('after restart');
        expect(c.status).toBe(201);
        expect(c.body.createdAt > before[before.length - 1].createdAt).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      data.remove();
    }
  });

  itEmbeddedOnly(
    'stream-resume',
    'lets a connected stream client reconnect after a restart and resume where it stopped, without a reload',
    async () => {
      const data = tempDataDir();
      let live: StreamRecorder<Todo> | undefined;
      let second: RunningApp | undefined;
      try {
        const first = await startApp({ dataDir: data.dir });
        const ports = portsOf(first);
        const kept = (await first.api.create('kept')).body;
        live = await StreamRecorder.join<Todo>(first.stream, { stream: 'todos-live', group: 'all' });
        await first.settle();
        expect(live.live?.items.has(kept.id)).toBe(true);
        await first.close();
        await live.reaches('reconnecting');

        second = await startApp({ dataDir: data.dir, ports });
        await live.reaches('open');
        const added = (await second.api.create('added after restart')).body;

        await second.settle();
        expect([...(live.live?.items.keys() ?? [])].sort()).toEqual([kept.id, added.id].sort());
        // One sync only: the re-join resumed from the last seq, which the restarted engine still knew.
        const syncs = live.messages.filter((m) => m.event.type === 'sync');
        expect(syncs).toHaveLength(1);
        const seqs = live.messages.filter((m) => m.event.type !== 'sync').map((m) => m.seq);
        expect(seqs).toEqual(seqs.map((_, i) => (syncs[0]?.seq ?? 0) + 1 + i));
      } finally {
        live?.close();
        await second?.close();
        data.remove();
      }
    },
  );
});
