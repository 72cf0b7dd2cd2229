/**
 * Trigger kinds that need time or a second party — cron, queue — plus the two ways of reaching an
 * engine: createTestApp (embedded) and engineUrl (connect only).
 */
import {
  Controller,
  Cron,
  Fn,
  IIIFactory,
  Module,
  OnQueue,
  Queue,
  createTestApp,
  type CronEvent,
  type TestApp,
} from '../../../src/framework';
import { startTestEngine, type EngineHandle } from '../support/engine';
import { itEmbeddedOnly } from '../../support/semantics';

const ticks: CronEvent[] = [];
const jobs: unknown[] = [];
/** When each delivery of a failing job started, by the engine's (fake) clock. */
const flakyRuns: Array<{ n: number; at: number }> = [];

@Controller('jobs')
class JobsController {
  @Cron('* * * * * *') tick(e: CronEvent) {
    ticks.push(e);
  }
  @OnQueue('default') work(data: unknown) {
    jobs.push(data);
  }
  @Fn() ping() {
    return 'pong';
  }
  /** The default queue retries 3 times from 1 s; this consumer's jobs twice, 50 ms apart. */
  @OnQueue('default', { retry: { maxAttempts: 2, backoffMs: 50 } }) flaky(data: { n: number }) {
    flakyRuns.push({ n: data.n, at: clockNow() });
    throw new Error('always fails');
  }
}
let clockNow: () => number = () => 0;
@Module({ controllers: [JobsController] })
class JobsModule {}

describe('createTestApp', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(JobsModule);
  });
  afterAll(() => t.close());

  it('fires @Cron methods on the fake clock: one run per second of clock.tick, none without it', async () => {
    await t.settle();
    expect(ticks).toEqual([]);
    await t.clock.tick(3_000);
    expect(ticks.map((e) => e.scheduled_time)).toEqual([
      '2030-01-01T00:00:01+00:00',
      '2030-01-01T00:00:02+00:00',
      '2030-01-01T00:00:03+00:00',
    ]);
    expect(ticks[0]).toMatchObject({ trigger: 'cron', job_id: expect.any(String) });
  });

  itEmbeddedOnly('builtin-queue', 'delivers Queue.enqueue jobs to the @OnQueue function', async () => {
    const receipt = await t.app.get(Queue).enqueue('jobs::work', { n: 1 });
    expect(receipt.messageReceiptId).toEqual(expect.any(String));
    await t.settle();
    expect(jobs).toEqual([{ n: 1 }]);
  });

  itEmbeddedOnly('builtin-queue', "retries a job by its @OnQueue retry, or by Queue.enqueue's, then dead-letters it", async () => {
    clockNow = () => t.clock.now();
    const start = t.clock.now();
    await t.app.get(Queue).enqueue('jobs::flaky', { n: 1 });
    await t.app.get(Queue).enqueue('jobs::flaky', { n: 2 }, { retry: { maxAttempts: 3, backoffMs: 10 } });
    await t.settle();
    await t.clock.tick(1_000);
    const runs = (n: number) => flakyRuns.filter((r) => r.n === n).map((r) => r.at - start);
    expect(runs(1)).toEqual([0, 50]);
    expect(runs(2)).toEqual([0, 10, 30]);
    const dead = await t.app.client.trigger<object, Array<{ function_id: string; attempts: number; data: { n: number } }>>({
      function_id: 'engine::queue::dlq_messages',
      payload: { queue: 'default' },
    });
    expect(dead.map((d) => [d.data.n, d.attempts]).sort()).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('connect-only mode (engineUrl)', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(() => engine.close());

  it('registers on the given engine and leaves it running on close()', async () => {
    const app = await IIIFactory.create(JobsModule, { engineUrl: engine.urls.worker, logger: false });
    await app.listen();
    expect(app.urls.worker).toBe(engine.urls.worker);
    expect(await app.client.trigger({ function_id: 'jobs::ping', payload: {} })).toBe('pong');
    await app.close();

    const again = await IIIFactory.create(JobsModule, { engineUrl: engine.urls.worker, logger: false });
    await again.listen();
    expect(await again.client.trigger({ function_id: 'jobs::ping', payload: {} })).toBe('pong');
    await again.close();
  });
});
