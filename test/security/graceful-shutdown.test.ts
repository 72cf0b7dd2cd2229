/**
 * A shutdown that drains, on the app `npm start` runs (the built `dist/src/main.js` in a child
 * process, on SQLite): SIGTERM while 16 clients POST and read todos in loops. From the signal on,
 * new requests get 503 with `Retry-After` (never 404: an existing todo must not read as deleted),
 * the requests in flight are answered, and the process exits 0. After a restart on the same data,
 * every acknowledged todo is there, `GET /todos/metrics` equals the real counts (no reaction lost)
 * and a fresh `todos-live` sync equals `GET /todos`. Several rounds, SIGTERM and SIGINT.
 */
import { ensureAppBuilt, startAppProcess, type AppProcess } from '../e2e/support/app-process';
import { Api, tempDataDir } from '../e2e/support/app';
import { expectDerivedViewsMatch } from '../e2e/support/derived-views';

const CLIENTS = 16;
const ROUNDS: NodeJS.Signals[] = ['SIGTERM', 'SIGTERM', 'SIGINT', 'SIGTERM'];

interface Tally {
  /** Todos whose creation was acknowledged (201). */
  acknowledged: Set<string>;
  /** Status → count of every answer during the round. */
  statuses: Map<number, number>;
  /** 503 answers without a `Retry-After` header. */
  noRetryAfter: number;
}

/** CLIENTS loops of POST then GET of the created todo; the signal is sent after `signalAfter` acknowledged POSTs. */
async function underLoad(api: Api, tally: Tally, signalAfter: number, signal: () => void): Promise<void> {
  let acks = 0;
  let signalled = false;
  let gone = false;
  const count = (status: number, retryAfter: string | null): void => {
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    if (status === 503 && retryAfter === null) tally.noRetryAfter++;
  };
  const client = async (n: number): Promise<void> => {
    for (let i = 0; !gone; i++) {
      try {
        const created = await api.create(`drain ${n}-${i}`);
        count(created.status, created.headers.get('retry-after'));
        if (created.status === 201) {
          tally.acknowledged.add(created.body.id);
          if (++acks >= signalAfter && !signalled) {
            signalled = true;
            signal();
          }
          const read = await api.get(created.body.id);
          count(read.status, read.headers.get('retry-after'));
        } else if (created.status !== 503) {
          throw new Error(`POST /todos answered ${created.status}: ${created.text}`);
        }
      } catch (error) {
        // Once the listener has closed, connections are refused or reset: the process is going away.
        // (fetch's TypeError comes from another realm than the test's: compare names.)
        if (signalled && (error as Error).name === 'TypeError') {
          gone = true;
          return;
        }
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
}

async function expectConsistent(app: AppProcess, acknowledged: Set<string>): Promise<void> {
  await app.settle();
  const api = new Api(app.http);
  const todos = (await api.list()).body;
  const ids = new Set(todos.map((t) => t.id));
  expect([...acknowledged].filter((id) => !ids.has(id))).toEqual([]);
  await expectDerivedViewsMatch(app, todos);
}

describe('a shutdown that drains (the built app as a child process, under load)', () => {
  const data = tempDataDir();
  let app: AppProcess | undefined;

  beforeAll(() => ensureAppBuilt(), 300_000);
  afterAll(async () => {
    await app?.kill();
    data.remove();
  });

  it(`answers no 404 and loses no acknowledged write or reaction across ${ROUNDS.length} signals under ${CLIENTS} POST loops`, async () => {
    const acknowledged = new Set<string>();
    const statuses = new Map<number, number>();
    let noRetryAfter = 0;
    app = await startAppProcess({ dataDir: data.dir });
    for (const [round, signal] of ROUNDS.entries()) {
      const running = app;
      const tally: Tally = { acknowledged, statuses: new Map(), noRetryAfter: 0 };
      await underLoad(new Api(running.http), tally, 40 + round * 25, () => void running.stop(signal));
      expect(await running.exited).toEqual({ code: 0, signal: null });
      for (const [status, n] of tally.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
      noRetryAfter += tally.noRetryAfter;
      app = await startAppProcess({ dataDir: data.dir });
      await expectConsistent(app, acknowledged);
    }
    expect(statuses.get(404) ?? 0).toBe(0);
    expect(noRetryAfter).toBe(0);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 201]));
    expect([...statuses.keys()].filter((status) => ![200, 201, 503].includes(status))).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(ROUNDS.length * 40);
  }, 600_000);
});
