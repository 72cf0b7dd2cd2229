import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createQueueWorker } from '../../../../../src/engine/workers/queue';
import { FakeClock } from '../../../../fakes/fake-clock';
import { QueueHarness } from './queue-harness';

const FAST = { queue_configs: { default: { backoff_ms: 1000, max_retries: 3, concurrency: 10 } } };

describe('iii-queue worker', () => {
  let clock: FakeClock;
  let q: QueueHarness;

  beforeEach(async () => {
    clock = new FakeClock();
    q = await new QueueHarness(clock, FAST).start();
  });

  afterEach(async () => {
    await q.close();
  });

  describe('enqueue', () => {
    it('is named iii-queue and registers the provider and DLQ functions', () => {
      expect(createQueueWorker({}).name).toBe('iii-queue');
      expect([...q.ctx.functions.keys()].sort()).toEqual([
        'engine::queue::dlq_messages',
        'engine::queue::dlq_topics',
        'engine::queue::enqueue',
        'engine::queue::list_topics',
        'engine::queue::topic_stats',
        'iii::queue::discard_message',
        'iii::queue::redrive',
        'iii::queue::redrive_message',
      ]);
    });

    it('commits the job before answering with the receipt id', () => {
      const handler = q.ctx.functions.get('engine::queue::enqueue')!.handler;
      const result = handler({ queue: 'default', function_id: 'jobs::run', data: { n: 1 }, messageReceiptId: 'r-1' }, {});

      expect(result).toEqual({ messageReceiptId: 'r-1' });
      expect(q.rows()).toEqual([{ id: 'r-1', queue: 'default', status: 'ready', attempts: 0 }]);
    });

    it('delivers data unchanged to the target with the trace context, then deletes the job', async () => {
      const seen: unknown[] = [];
      q.ctx.handle('jobs::run', (data) => {
        seen.push(data);
      });

      await q.enqueue({
        queue: 'default',
        function_id: 'jobs::run',
        data: JSON.parse('{"n":1,"__proto__":"kept"}'),
        messageReceiptId: 'r-1',
        traceparent: '00-abc-def-01',
        baggage: 'k=v',
      });
      await clock.advance(0);

      expect(seen).toEqual([JSON.parse('{"n":1,"__proto__":"kept"}')]);
      expect(q.ctx.invocationsOf('jobs::run')[0].options).toEqual({ traceparent: '00-abc-def-01', baggage: 'k=v' });
      expect(q.rows()).toEqual([]);
    });

    it('generates a receipt id when none is given', async () => {
      const result = (await q.enqueue({ queue: 'default', function_id: 'jobs::run', data: 1 })) as { messageReceiptId: string };
      expect(result.messageReceiptId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('stores one job for a repeated receipt id', async () => {
      await q.enqueue({ queue: 'default', function_id: 'jobs::none', data: 1, messageReceiptId: 'same' });
      await q.enqueue({ queue: 'default', function_id: 'jobs::none', data: 2, messageReceiptId: 'same' });
      expect(q.rows()).toHaveLength(1);
    });

    it('rejects an unknown queue with "Queue \'<name>\' not found"', async () => {
      await expect(q.enqueue({ queue: 'nope', function_id: 'jobs::run', data: 1 })).rejects.toMatchObject({
        code: 'queue_not_found',
        message: "Queue 'nope' not found",
      });
    });

    it.each([
      ['a string', 'x', 'INVALID_ARGUMENTS'],
      ['no function_id', { queue: 'default', data: 1 }, 'function_id_not_set'],
      ['a numeric queue', { queue: 1, function_id: 'f' }, 'INVALID_ARGUMENTS'],
    ])('rejects %s with a coded error', async (_label, input, code) => {
      await expect(q.ctx.call('engine::queue::enqueue', input)).rejects.toMatchObject({ code });
    });
  });

  describe('retries and the dead-letter list', () => {
    it('retries with exponential backoff, then moves the job to the dead-letter list', async () => {
      const attemptsAt: number[] = [];
      q.ctx.handle('jobs::fail', () => {
        attemptsAt.push(clock.now());
        throw new Error('nope');
      });
      const start = clock.now();

      await q.enqueue({ queue: 'default', function_id: 'jobs::fail', data: { n: 1 }, messageReceiptId: 'm-1' });
      await clock.advance(10_000);

      expect(attemptsAt.map((t) => t - start)).toEqual([0, 1000, 3000]);
      const dead = await q.ctx.call('engine::queue::dlq_messages', { queue: 'default' });
      expect(dead).toEqual([
        {
          id: 'm-1',
          queue: 'default',
          function_id: 'jobs::fail',
          data: { n: 1 },
          attempts: 3,
          error: 'invocation_failed: nope',
          enqueued_at_ms: start,
          failed_at_ms: start + 3000,
        },
      ]);
    });

    it('retries a job by its own max_attempts and backoff_ms when it was enqueued with them', async () => {
      const attemptsAt: number[] = [];
      q.ctx.handle('jobs::fail', () => {
        attemptsAt.push(clock.now());
        throw new Error('nope');
      });
      const start = clock.now();
      await q.enqueue({ queue: 'default', function_id: 'jobs::fail', data: 1, max_attempts: 5, backoff_ms: 100 });
      await q.enqueue({ queue: 'default', function_id: 'jobs::once', data: 2, max_attempts: 1 });
      await clock.advance(10_000);

      expect(attemptsAt.map((t) => t - start)).toEqual([0, 100, 300, 700, 1500]);
      const dead = (await q.ctx.call('engine::queue::dlq_messages', { queue: 'default' })) as Array<Record<string, unknown>>;
      expect(dead.map((d) => [d.function_id, d.attempts])).toEqual([
        ['jobs::once', 1],
        ['jobs::fail', 5],
      ]);
    });

    it('refuses per-job retry settings that are not integers in range', async () => {
      for (const bad of [{ max_attempts: 0 }, { max_attempts: 1.5 }, { backoff_ms: -1 }, { backoff_ms: '10' }]) {
        await expect(q.enqueue({ queue: 'default', function_id: 'jobs::x', data: 1, ...bad })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENTS',
        });
      }
      expect(q.rows()).toEqual([]);
    });

    it('counts dead letters per queue and reports queue stats', async () => {
      await q.enqueue({ queue: 'default', function_id: 'jobs::missing', data: 1 });
      await clock.advance(10_000);

      expect(await q.ctx.call('engine::queue::dlq_topics', {})).toEqual([
        { topic: 'default', broker_type: 'function_queue', message_count: 1 },
      ]);
      expect(await q.ctx.call('engine::queue::list_topics', {})).toEqual([
        { name: 'default', broker_type: 'function_queue', subscriber_count: 10 },
      ]);
      expect(await q.ctx.call('engine::queue::topic_stats', { topic: 'default' })).toEqual({
        depth: 0,
        in_flight: 0,
        dlq_depth: 1,
        consumer_count: 10,
        delivered: 0,
        failed: 3,
      });
    });

    it('redrives every dead letter of a queue with a fresh attempt count', async () => {
      await q.enqueue({ queue: 'default', function_id: 'jobs::later', data: 'x', messageReceiptId: 'm-1' });
      await clock.advance(10_000);
      const seen: unknown[] = [];
      q.ctx.handle('jobs::later', (data) => {
        seen.push(data);
      });

      const result = await q.ctx.call('iii::queue::redrive', { queue: 'default' });
      await clock.advance(0);

      expect(result).toEqual({ queue: 'default', redriven: 1 });
      expect(seen).toEqual(['x']);
      expect(q.rows()).toEqual([]);
    });

    it('redrives and discards single dead letters by message id', async () => {
      await q.enqueue({ queue: 'default', function_id: 'jobs::later', data: 1, messageReceiptId: 'm-1' });
      await q.enqueue({ queue: 'default', function_id: 'jobs::later', data: 2, messageReceiptId: 'm-2' });
      await clock.advance(10_000);

      expect(await q.ctx.call('iii::queue::discard_message', { queue: 'default', message_id: 'm-1' })).toEqual({
        queue: 'default',
        message_id: 'm-1',
        discarded: 1,
      });
      expect(await q.ctx.call('iii::queue::redrive_message', { queue: 'default', message_id: 'm-1' })).toEqual({
        queue: 'default',
        message_id: 'm-1',
        redriven: 0,
      });
      expect(await q.ctx.call('iii::queue::redrive_message', { queue: 'default', message_id: 'm-2' })).toEqual({
        queue: 'default',
        message_id: 'm-2',
        redriven: 1,
      });
      expect(q.rows()).toEqual([expect.objectContaining({ id: 'm-2', status: expect.not.stringMatching('dead') })]);
    });

    it('pages dead letters with offset and limit', async () => {
      for (const id of ['a', 'b', 'c']) {
        await q.enqueue({ queue: 'default', function_id: 'jobs::missing', data: id, messageReceiptId: id });
      }
      await clock.advance(10_000);

      const page = (await q.ctx.call('engine::queue::dlq_messages', { topic: 'default', offset: 1, limit: 1 })) as Array<{
        id: string;
      }>;

      expect(page.map((m) => m.id)).toEqual(['b']);
    });

    it.each([
      ['iii::queue::redrive', {}, 'queue_not_set'],
      ['iii::queue::redrive', { queue: 'nope' }, 'queue_not_found'],
      ['iii::queue::redrive_message', { queue: 'default' }, 'message_id_not_set'],
      ['iii::queue::discard_message', { queue: 'default', message_id: 5 }, 'INVALID_ARGUMENTS'],
      ['engine::queue::dlq_messages', {}, 'topic_required'],
      ['engine::queue::dlq_messages', { topic: 'default', limit: -1 }, 'INVALID_ARGUMENTS'],
      ['engine::queue::topic_stats', { topic: 'nope' }, 'queue_not_found'],
    ])('%s rejects %j with %s', async (fn, input, code) => {
      await expect(q.ctx.call(fn, input)).rejects.toMatchObject({ code });
    });
  });

  describe('dispatch', () => {
    it('runs at most `concurrency` jobs of a queue at once', async () => {
      await q.close();
      q = await new QueueHarness(clock, { queue_configs: { default: { concurrency: 2 } } }).start();
      const releases: Array<() => void> = [];
      q.ctx.handle('jobs::hang', () => new Promise<void>((resolve) => releases.push(resolve)));

      for (let i = 0; i < 5; i++) await q.enqueue({ queue: 'default', function_id: 'jobs::hang', data: i });
      await clock.advance(0);
      expect(releases).toHaveLength(2);

      releases[0]();
      await clock.advance(0);
      expect(releases).toHaveLength(3);
      releases.forEach((release) => release());
      await clock.advance(0);
      releases.forEach((release) => release());
      await clock.advance(0);
    });

    it('keeps FIFO groups in order while a failing head is retried, other groups flow', async () => {
      await q.close();
      q = await new QueueHarness(clock, {
        queue_configs: { orders: { type: 'fifo', message_group_field: 'account', backoff_ms: 100 } },
      }).start();
      const order: string[] = [];
      let failFirst = true;
      q.ctx.handle('jobs::apply', (data) => {
        const { account, n } = data as { account: string; n: number };
        if (account === 'a' && n === 1 && failFirst) {
          failFirst = false;
          throw new Error('transient');
        }
        order.push(`${account}${n}`);
      });

      await q.enqueue({ queue: 'orders', function_id: 'jobs::apply', data: { account: 'a', n: 1 } });
      await q.enqueue({ queue: 'orders', function_id: 'jobs::apply', data: { account: 'a', n: 2 } });
      await q.enqueue({ queue: 'orders', function_id: 'jobs::apply', data: { account: 'b', n: 1 } });
      await clock.advance(0);
      expect(order).toEqual(['b1']);

      await clock.advance(100);
      expect(order).toEqual(['b1', 'a1', 'a2']);
    });

    it('rejects FIFO jobs whose group field is missing or null', async () => {
      await q.close();
      q = await new QueueHarness(clock, { queue_configs: { orders: { type: 'fifo', message_group_field: 'account' } } }).start();

      await expect(q.enqueue({ queue: 'orders', function_id: 'f', data: {} })).rejects.toMatchObject({
        message: "FIFO queue 'orders' requires field 'account' in data, but it was not found",
      });
      await expect(q.enqueue({ queue: 'orders', function_id: 'f', data: { account: null } })).rejects.toMatchObject({
        message: "FIFO queue 'orders': field 'account' must not be null",
      });
    });
  });

  describe('stop', () => {
    it('waits for running jobs before resolving', async () => {
      let release: () => void = () => undefined;
      let finished = false;
      q.ctx.handle('jobs::slow', () =>
        new Promise<void>((resolve) => (release = resolve)).then(() => {
          finished = true;
        }),
      );
      await q.enqueue({ queue: 'default', function_id: 'jobs::slow', data: 1 });
      await clock.advance(0);

      const stopped = q.worker.stop();
      release();
      await stopped;

      expect(finished).toBe(true);
    });

    it('gives up waiting after shutdown_timeout_ms', async () => {
      await q.close();
      q = await new QueueHarness(clock, { shutdown_timeout_ms: 50 }).start();
      q.ctx.handle('jobs::forever', () => new Promise<void>(() => undefined));
      await q.enqueue({ queue: 'default', function_id: 'jobs::forever', data: 1 });
      await clock.advance(0);

      let resolved = false;
      const stopped = q.worker.stop().then(() => (resolved = true));
      await clock.advance(49);
      expect(resolved).toBe(false);
      await clock.advance(1);
      await stopped;
      expect(resolved).toBe(true);
      expect(q.rows()).toEqual([expect.objectContaining({ status: 'running' })]);
    });

    it('refuses new jobs once stopped', async () => {
      await q.worker.stop();
      await expect(q.enqueue({ queue: 'default', function_id: 'f', data: 1 })).rejects.toMatchObject({ code: 'queue_stopped' });
    });
  });
});

describe('iii-queue durability', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iii-queue-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a job waiting for a retry after a restart', async () => {
    const clock = new FakeClock();
    const open = () => new Database(join(dir, 'engine.db'));
    const first = await new QueueHarness(clock, FAST, open).start();
    await first.enqueue({ queue: 'default', function_id: 'jobs::later', data: { n: 7 } });
    await clock.advance(0); // attempt 1 fails: nobody registered jobs::later yet
    await first.close();

    const second = await new QueueHarness(clock, FAST, open).start();
    const seen: unknown[] = [];
    second.ctx.handle('jobs::later', (data) => {
      seen.push(data);
    });
    await clock.advance(1000);

    expect(seen).toEqual([{ n: 7 }]);
    expect(second.rows()).toEqual([]);
    await second.close();
  });

  it('opens a database written before per-job retry settings, adding their columns', async () => {
    const file = join(dir, 'engine.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE iii_queue_jobs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, queue TEXT NOT NULL, function_id TEXT NOT NULL,
      data TEXT NOT NULL, group_key TEXT, traceparent TEXT, baggage TEXT, status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, available_at INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
      failed_at INTEGER, last_error TEXT)`);
    old
      .prepare(
        `INSERT INTO iii_queue_jobs (id, queue, function_id, data, status, available_at, enqueued_at)
      VALUES ('old-1', 'default', 'jobs::old', '{"n":1}', 'ready', 0, 0)`,
      )
      .run();
    old.close();

    const clock = new FakeClock();
    const q = await new QueueHarness(clock, FAST, () => new Database(file)).start();
    const seen: unknown[] = [];
    q.ctx.handle('jobs::old', (data) => {
      seen.push(data);
    });
    await q.enqueue({ queue: 'default', function_id: 'jobs::old', data: { n: 2 }, max_attempts: 2 });
    // The old job's first delivery ran at start, before the handler existed: it comes back after the backoff.
    await clock.advance(1_000);
    expect(seen).toEqual([{ n: 2 }, { n: 1 }]);
    expect(q.rows()).toEqual([]);
    await q.close();
  });

  it('delivers again a job that was running when the worker stopped', async () => {
    const clock = new FakeClock();
    const open = () => new Database(join(dir, 'engine.db'));
    const first = await new QueueHarness(clock, { ...FAST, shutdown_timeout_ms: 0 }, open).start();
    first.ctx.handle('jobs::slow', () => new Promise<void>(() => undefined));
    await first.enqueue({ queue: 'default', function_id: 'jobs::slow', data: 'again' });
    await clock.advance(0);
    await first.close();

    const second = await new QueueHarness(clock, FAST, open).start();
    const seen: unknown[] = [];
    second.ctx.handle('jobs::slow', (data) => {
      seen.push(data);
    });
    await clock.advance(1000); // the recovered job may be tried before the target is registered

    expect(seen).toEqual(['again']);
    await second.close();
  });
});
