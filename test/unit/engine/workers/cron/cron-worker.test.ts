import type { TriggerRecord } from '../../../../../src/engine/core/types';
import { createCronWorker, CronWorker } from '../../../../../src/engine/workers/cron';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';
import { FakeClock } from '../../../../fakes/fake-clock';

function cronTrigger(id: string, config: unknown, extra: Partial<TriggerRecord> = {}): TriggerRecord {
  return { id, trigger_type: 'cron', function_id: 'jobs::tick', config, ...extra };
}

describe('iii-cron worker', () => {
  let ctx: FakeEngineContext;
  let clock: FakeClock;
  let worker: CronWorker;
  let events: unknown[];

  beforeEach(async () => {
    ctx = new FakeEngineContext();
    clock = new FakeClock('2025-01-01T00:00:00.000Z');
    worker = new CronWorker(clock);
    await worker.start(ctx);
    events = [];
    ctx.handle('jobs::tick', (data) => {
      events.push(data);
    });
  });

  afterEach(async () => {
    await worker.stop();
    await ctx.storage.close();
  });

  it('is named iii-cron and offers the cron trigger type', () => {
    expect(createCronWorker({}).name).toBe('iii-cron');
    expect(ctx.triggerTypes.has('cron')).toBe(true);
  });

  it('invokes the function at each matching second with the engine payload', async () => {
    await ctx.registerTrigger(cronTrigger('job-1', { expression: '*/5 * * * * *' }));

    await clock.advance(10_000);

    expect(events).toEqual([
      {
        trigger: 'cron',
        job_id: 'job-1',
        scheduled_time: '2025-01-01T00:00:05+00:00',
        actual_time: '2025-01-01T00:00:05+00:00',
      },
      {
        trigger: 'cron',
        job_id: 'job-1',
        scheduled_time: '2025-01-01T00:00:10+00:00',
        actual_time: '2025-01-01T00:00:10+00:00',
      },
    ]);
  });

  it('passes the trigger metadata as the invocation metadata', async () => {
    await ctx.registerTrigger(cronTrigger('job-1', { expression: '* * * * * *' }, { metadata: { team: 'a' } }));

    await clock.advance(1000);

    expect(ctx.invocationsOf('jobs::tick')[0].options).toEqual({ metadata: { team: 'a' } });
  });

  it('supports a 7th year field', async () => {
    await ctx.registerTrigger(cronTrigger('y', { expression: '0 0 0 1 1 * 2026' }));

    await clock.advance(364 * 24 * 3600 * 1000);
    expect(events).toHaveLength(0);
    await clock.advance(24 * 3600 * 1000);
    expect(events).toHaveLength(1);
  });

  it('numbers days of week 1-7 from Sunday, as the reference crate does', async () => {
    // 2025-01-01 is a Wednesday; day 1 is Sunday 2025-01-05.
    await ctx.registerTrigger(cronTrigger('sun', { expression: '0 0 0 * * 1' }));

    await clock.advance(7 * 24 * 3600 * 1000);

    expect(events).toEqual([expect.objectContaining({ scheduled_time: '2025-01-05T00:00:00+00:00' })]);
  });

  it.each([[{}], [{ expression: '' }], [{ expression: '   ' }], [null], [{ expression: 5 }]])(
    'rejects a missing expression with "Cron expression is required" (%j)',
    async (config) => {
      await expect(ctx.registerTrigger(cronTrigger('bad', config))).rejects.toThrow(/^Cron expression is required$/);
    },
  );

  it.each(['* * * * *', 'not a cron', '61 * * * * *', '1 2 3 4 5 6 7 8'])(
    'rejects %j with "Invalid cron expression \'<expr>\': <reason>"',
    async (expression) => {
      const escaped = expression.replace(/[*]/g, '\\*');
      await expect(ctx.registerTrigger(cronTrigger('bad', { expression }))).rejects.toThrow(
        new RegExp(`^Invalid cron expression '${escaped}': .+`),
      );
    },
  );

  it('replaces the job when the same trigger id is registered again', async () => {
    await ctx.registerTrigger(cronTrigger('job-1', { expression: '* * * * * *' }));
    await ctx.registerTrigger(cronTrigger('job-1', { expression: '*/10 * * * * *' }));

    await clock.advance(10_000);

    expect(events).toHaveLength(1);
    expect(clock.pendingTimers).toBe(1);
  });

  it('stops firing once the trigger is unregistered', async () => {
    const trigger = cronTrigger('job-1', { expression: '* * * * * *' });
    await ctx.registerTrigger(trigger);
    await clock.advance(2000);

    await ctx.unregisterTrigger(trigger);
    await clock.advance(5000);

    expect(events).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('skips ticks that fall inside a long run instead of queueing them', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    ctx.handle('jobs::slow', () => {
      calls += 1;
      if (calls === 1) return new Promise<void>((resolve) => (release = resolve));
      return undefined;
    });
    await ctx.registerTrigger(cronTrigger('slow', { expression: '* * * * * *' }, { function_id: 'jobs::slow' }));

    await clock.advance(1000); // first run starts at :01 and hangs
    await clock.advance(3500); // :02, :03, :04 pass during the run
    release();
    await clock.advance(0);
    expect(calls).toBe(1);

    await clock.advance(500); // next tick is :05, after the run ended at :04.5
    expect(calls).toBe(2);
    const scheduled = ctx.invocationsOf('jobs::slow').map((i) => (i.data as { scheduled_time: string }).scheduled_time);
    expect(scheduled).toEqual(['2025-01-01T00:00:01+00:00', '2025-01-01T00:00:05+00:00']);
  });

  it('skips the run when the condition returns exactly false or fails', async () => {
    const answers: unknown[] = [false, 0, null, new Error('boom'), true];
    ctx.handle('jobs::when', () => {
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    });
    await ctx.registerTrigger(cronTrigger('c', { expression: '* * * * * *', condition_function_id: 'jobs::when' }));

    await clock.advance(5000);

    // false → skip, 0 → run, null → run, error → skip, true → run
    expect(events).toHaveLength(3);
    expect(ctx.invocationsOf('jobs::when')[0].data).toMatchObject({ trigger: 'cron', job_id: 'c' });
  });

  it('keeps the schedule going when the function fails', async () => {
    ctx.handle('jobs::tick', () => {
      throw new Error('handler failed');
    });
    await ctx.registerTrigger(cronTrigger('job-1', { expression: '* * * * * *' }));

    await clock.advance(3000);

    expect(ctx.invocationsOf('jobs::tick')).toHaveLength(3);
    expect(ctx.logs.some((l) => l.level === 'error' && l.message === 'Cron job execution failed')).toBe(true);
  });

  it('never fires an expression with no upcoming time', async () => {
    await ctx.registerTrigger(cronTrigger('past', { expression: '0 0 0 1 1 * 2020' }));
    await clock.advance(10_000);
    expect(events).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops every job on stop()', async () => {
    await ctx.registerTrigger(cronTrigger('a', { expression: '* * * * * *' }));
    await ctx.registerTrigger(cronTrigger('b', { expression: '*/2 * * * * *' }));

    await worker.stop();
    await clock.advance(5000);

    expect(events).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
