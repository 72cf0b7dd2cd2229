/**
 * `iii-queue` behind `TriggerAction.Enqueue` through real iii-sdk workers (engine.md §12.3): the
 * receipt, delivery, retries into the dead-letter list, redrive, and jobs surviving an engine
 * restart on SQLite storage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TriggerAction, type IIIClient } from 'iii-sdk';
import { defaultConfig, type EngineConfig } from '../../../src/engine/config';
import { connectWorker, TestHarness, waitFor, waitForFunctions, startTestEngine } from '../support/engine';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The default engine config with fast retries, so a failing job reaches the DLQ in ~100 ms. */
function configWithQueues(queueConfig: Record<string, unknown>): EngineConfig {
  const workers = defaultConfig().workers.map((entry) => (entry.name === 'iii-queue' ? { name: 'iii-queue', config: queueConfig } : entry));
  return { workers };
}

const FAST_RETRIES = { queue_configs: { default: { max_retries: 3, backoff_ms: 20 }, emails: { concurrency: 1 } } };

interface DeadLetter {
  id: string;
  function_id: string;
  data: unknown;
  attempts: number;
}

describe('iii-queue over the worker protocol', () => {
  let h: TestHarness;
  let iii: IIIClient;
  let counter = 0;

  function enqueue(functionId: string, payload: unknown, queue = 'default'): Promise<{ messageReceiptId: string }> {
    return iii.trigger({ function_id: functionId, payload, action: TriggerAction.Enqueue({ queue }) });
  }

  function nextFunctionId(): string {
    counter += 1;
    return `queue-tests::job-${counter}`;
  }

  /** Registers a fresh function that records each payload it runs with; resolves once it is live. */
  async function registerRecorder(): Promise<{ functionId: string; received: unknown[] }> {
    const functionId = nextFunctionId();
    const received: unknown[] = [];
    iii.registerFunction(functionId, async (data: unknown) => {
      received.push(data);
      return null;
    });
    await waitForFunctions(iii, [functionId]);
    return { functionId, received };
  }

  beforeAll(async () => {
    h = await TestHarness.start({ config: configWithQueues(FAST_RETRIES) });
    iii = h.worker('queue-tests');
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers with a receipt id and runs the target with the payload', async () => {
    const { functionId, received } = await registerRecorder();

    const receipt = await enqueue(functionId, { to: 'a@example.com' });

    expect(receipt).toEqual({ messageReceiptId: expect.stringMatching(UUID_V4) });
    await waitFor(() => received.length > 0, { description: 'the queued job to run' });
    expect(received).toEqual([{ to: 'a@example.com' }]);
  });

  it('delivers to named queues from the config', async () => {
    const { functionId, received } = await registerRecorder();

    await enqueue(functionId, 'hello', 'emails');

    await waitFor(() => received.length > 0);
    expect(received).toEqual(['hello']);
  });

  it('fails the enqueue for an unknown queue', async () => {
    await expect(enqueue('queue-tests::anything', {}, 'nope')).rejects.toMatchObject({
      code: 'enqueue_error',
      message: expect.stringContaining("Queue 'nope' not found"),
    });
  });

  it('retries a failing target, moves it to the dead-letter list, and redrives it', async () => {
    const functionId = nextFunctionId();
    let attempts = 0;
    let healthy = false;
    const succeeded: unknown[] = [];
    iii.registerFunction(functionId, async (data: unknown) => {
      attempts += 1;
      if (!healthy) throw new Error('downstream unavailable');
      succeeded.push(data);
      return null;
    });
    await waitForFunctions(iii, [functionId]);

    const { messageReceiptId } = await enqueue(functionId, { order: 7 });

    const dead = await waitFor(
      async () => {
        const page = await iii.trigger<unknown, DeadLetter[]>({
          function_id: 'engine::queue::dlq_messages',
          payload: { queue: 'default' },
        });
        return page.find((m) => m.id === messageReceiptId);
      },
      { description: 'the job in the dead-letter list' },
    );
    expect(dead).toMatchObject({ function_id: functionId, data: { order: 7 }, attempts: 3 });
    expect(attempts).toBe(3);

    healthy = true;
    const redriven = await iii.trigger({
      function_id: 'iii::queue::redrive_message',
      payload: { queue: 'default', message_id: messageReceiptId },
    });

    expect(redriven).toEqual({ queue: 'default', message_id: messageReceiptId, redriven: 1 });
    await waitFor(() => succeeded.length > 0, { description: 'the redriven job to run' });
    expect(succeeded).toEqual([{ order: 7 }]);
  });
});

describe('iii-queue durability across an engine restart', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'iii-queue-restart-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a job enqueued before the restart once its target registers', async () => {
    // Retries are slow enough that the job is still waiting when the engine stops.
    const config = configWithQueues({ queue_configs: { default: { max_retries: 10, backoff_ms: 200 } } });
    const first = await startTestEngine({ storage: 'sqlite', dataDir, config });
    const producer = connectWorker(first.urls.worker, { workerName: 'producer' });
    try {
      const receipt = await producer.trigger<unknown, { messageReceiptId: string }>({
        function_id: 'restart-tests::target',
        payload: { survived: true },
        action: TriggerAction.Enqueue({ queue: 'default' }),
      });
      expect(receipt.messageReceiptId).toMatch(UUID_V4);
    } finally {
      await producer.shutdown();
      await first.close();
    }

    const second = await startTestEngine({ storage: 'sqlite', dataDir, config });
    const consumer = connectWorker(second.urls.worker, { workerName: 'consumer' });
    try {
      const received: unknown[] = [];
      consumer.registerFunction('restart-tests::target', async (data: unknown) => {
        received.push(data);
        return null;
      });

      await waitFor(() => received.length > 0, { timeoutMs: 8000, description: 'the job from before the restart' });
      expect(received).toEqual([{ survived: true }]);
    } finally {
      await consumer.shutdown();
      await second.close();
    }
  });
});
