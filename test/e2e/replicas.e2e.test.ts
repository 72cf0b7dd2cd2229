/**
 * Scale-out proof: one engine (SQLite in a temp dir, ephemeral ports) and three copies of the
 * built reference app as separate processes (`III_URL=… npm start`), under HTTP load.
 *
 * Phase 1, three replicas: every request answered, the metrics reaction (registered by each of
 * them) counts every change exactly once, the live stream carries each create once.
 * Phase 2, one replica killed with SIGKILL mid-load: every acknowledged write is present; every
 * request is answered except the calls the killed replica had in flight, which fail at once with
 * `invocation_stopped` (never hang); the reactions it was running are delivered again to a live
 * replica from the change log, and their keyed writes apply once, so the metrics still equal the
 * real counts and the stream still carries each create exactly once.
 */
import { startEngine, type EngineHandle } from '../../src/engine';
import type { Todo } from '../../src/modules/todos/todo.entity';
import { connectWorker, type IIIClient } from '../integration/support/engine';
import { itEmbeddedOnly } from '../support/semantics';
import { Api, StreamRecorder, tempDataDir, waitFor, type ApiResponse } from './support/app';
import { ensureAppBuilt, startAppProcess, type AppProcess } from './support/app-process';

const LANES = 6;
const BEFORE_KILL = 45;
const AFTER_KILL = 90;
/** Phase 2 also goes on until this many creates started after the settling second below. */
const CREATES_AFTER_SETTLING = 12;
/** Calls started this long after the kill must all succeed (the engine has seen the socket close). */
const SETTLING_MS = 1_000;
/** The create (counted from the start of phase 2) just before which the victim is killed. */
const KILL_AT = 12;
/** A call the killed replica was running must fail within this, not hang to a timeout. */
const FAIL_FAST_MS = 5_000;

interface Outcome {
  op: 'create' | 'get' | 'complete';
  startedAt: number;
  endedAt: number;
  /** A failed invocation answers the engine's envelope `{ error: { code, message } }`. */
  response: ApiResponse<Todo & { error?: { code: string; message: string } }>;
}

interface CursorsReply {
  head: number;
  cursors: Array<{ function_id: string; lag: number; live: boolean }>;
}

describe('three app replicas on one engine', () => {
  let data: ReturnType<typeof tempDataDir>;
  let engine: EngineHandle;
  let observer: IIIClient;
  let live: StreamRecorder<Todo> | undefined;
  const replicas: AppProcess[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    data = tempDataDir();
    engine = await startEngine({ dataDir: data.dir, ephemeralPorts: true, host: '127.0.0.1' });
    observer = connectWorker(engine.urls.worker, { workerName: 'observer' });
  }, 300_000);

  afterAll(async () => {
    live?.close();
    await Promise.all(replicas.map((replica) => replica.kill()));
    await observer.shutdown();
    await engine.close();
    data.remove();
  });

  /** The todo list itself, the real counts computed from it, and what the metrics reaction kept. */
  async function counts(api: Api) {
    const todos = (await api.list()).body;
    const completed = todos.filter((t) => t.completed).length;
    return { todos, real: { total: todos.length, completed, active: todos.length - completed }, metrics: (await api.metrics()).body };
  }

  /**
   * Resolves once every reaction has handled every change: the engine has nothing due and each
   * live cursor is at the head of the change log (a delivery cut by the kill waits for its retry
   * timer, which `settle()` does not count as due).
   */
  async function caughtUp(): Promise<void> {
    await waitFor(
      async () => {
        await engine.settle();
        const reply = await observer.trigger<Record<string, never>, CursorsReply>({
          function_id: 'state::reactions::cursors',
          payload: {},
        });
        return reply.cursors.filter((c) => c.live).every((c) => c.lag === 0);
      },
      15_000,
      'every reaction caught up with the change log',
    );
  }

  /**
   * `LANES` concurrent clients: each creates a todo, reads it back, and completes every third one,
   * while `more(n)` says create number n is still wanted; `beforeCreate(n)` runs before it is sent.
   */
  async function load(api: Api, more: (n: number) => boolean, beforeCreate: (n: number) => void = () => undefined): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const timed = async (op: Outcome['op'], call: () => Promise<Outcome['response']>): Promise<Outcome['response']> => {
      const startedAt = Date.now();
      const response = await call();
      outcomes.push({ op, startedAt, endedAt: Date.now(), response });
      return response;
    };
    let started = 0;
    const lane = async (laneId: number): Promise<void> => {
      while (more(started)) {
        const n = started++;
        beforeCreate(n);
        const created = await timed('create', () => api.create(`todo ${n} (lane ${laneId})`));
        if (created.status !== 201) continue;
        await timed('get', () => api.get(created.body.id));
        if (n % 3 === 0) await timed('complete', () => api.patch(created.body.id, { completed: true }));
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, laneId) => lane(laneId)));
    return outcomes;
  }

  itEmbeddedOnly(
    'replicas',
    'counts each change exactly once with three replicas, and keeps every acknowledged write, reaction and route through a kill -9',
    async () => {
      // Three copies of the built app, each connected to the engine as `III_URL=… npm start` would be.
      const env = { III_URL: engine.urls.worker, III_HTTP_URL: engine.urls.http, III_STREAM_URL: engine.urls.stream };
      const started = await Promise.allSettled([0, 1, 2].map(() => startAppProcess({ dataDir: data.dir, env })));
      for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value); // afterAll kills them
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const registered = await observer.trigger<unknown, { registered_triggers: unknown[] }>({
        function_id: 'engine::registered-triggers::list',
        payload: { function_id: 'metrics::recount', include_internal: true },
      });
      expect(registered.registered_triggers).toHaveLength(3);
      const api = new Api(engine.urls.http!.replace(/\/$/, ''));
      const stream = await StreamRecorder.join<Todo>(engine.urls.stream!, { stream: 'todos-live', group: 'all' });
      live = stream;
      const createsOnStream = (): string[] => stream.changes().filter((c) => c.startsWith('create:'));

      // Phase 1, three replicas: every request answered, every change counted exactly once.
      const first = await load(api, (n) => n < BEFORE_KILL);
      expect(first.filter((o) => o.response.status >= 300).map((o) => o.response.text)).toEqual([]);
      await caughtUp();
      const afterFirst = await counts(api);
      expect(afterFirst.real.total).toBe(BEFORE_KILL);
      expect(afterFirst.metrics).toEqual(afterFirst.real);
      await waitFor(() => createsOnStream().length >= BEFORE_KILL, 5_000, 'the creates on the stream');
      expect(createsOnStream().sort()).toEqual(afterFirst.todos.map((t) => `create:${t.id}`).sort());

      // Phase 2: the first replica is killed with SIGKILL while the load runs.
      const victim = replicas[0]!;
      let killedAt = Number.POSITIVE_INFINITY;
      let createsAfterSettling = 0;
      // A count alone is not enough: on a fast machine all of it can finish within the settling second.
      const more = (n: number): boolean => n < AFTER_KILL || createsAfterSettling < CREATES_AFTER_SETTLING;
      const second = await load(api, more, (n) => {
        if (Date.now() > killedAt + SETTLING_MS) createsAfterSettling += 1;
        if (n !== KILL_AT) return;
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
      });
      await victim.exited;
      expect(victim.child.signalCode).toBe('SIGKILL');

      // Only calls the killed replica had in flight failed, each at once and naming why.
      const failed = second.filter((o) => o.response.status >= 300);
      for (const failure of failed) {
        expect(failure.response.status).toBe(500);
        expect(failure.response.body.error?.code).toBe('invocation_stopped');
        expect(failure.endedAt).toBeGreaterThanOrEqual(killedAt);
        expect(failure.endedAt - killedAt).toBeLessThan(FAIL_FAST_MS);
      }
      expect(failed.length).toBeLessThanOrEqual(LANES);
      const afterKill = second.filter((o) => o.startedAt > killedAt + SETTLING_MS);
      expect(afterKill.filter((o) => o.op === 'create').length).toBeGreaterThanOrEqual(CREATES_AFTER_SETTLING);
      expect(afterKill.filter((o) => o.response.status >= 300)).toEqual([]);

      // Every acknowledged write is there.
      await caughtUp();
      const final = await counts(api);
      const byId = new Map(final.todos.map((todo) => [todo.id, todo]));
      const acknowledged = [...first, ...second].filter((o) => o.response.status < 300);
      for (const o of acknowledged) {
        if (o.op === 'create') expect(byId.has(o.response.body.id)).toBe(true);
        if (o.op === 'complete') expect(byId.get(o.response.body.id)?.completed).toBe(true);
      }
      const acknowledgedCreates = acknowledged.filter((o) => o.op === 'create').length;
      // A create whose reply was lost with the replica may still have been written (never the reverse).
      expect(final.real.total).toBeGreaterThanOrEqual(acknowledgedCreates);
      expect(final.real.total - acknowledgedCreates).toBeLessThanOrEqual(failed.length);

      // Each reaction effect exactly once: the counts equal the real ones, each create streamed once.
      expect(final.metrics).toEqual(final.real);
      await waitFor(() => createsOnStream().length >= final.todos.length, 5_000, 'every create on the stream');
      expect(createsOnStream().sort()).toEqual(final.todos.map((t) => `create:${t.id}`).sort());
    },
    120_000,
  );
});
