/**
 * `iii-cron` through a real iii-sdk worker against the embedded engine (engine.md §12.2). One
 * every-second job, awaited until its first fire; the schedule logic is unit-tested on a fake clock.
 */
import type { IIIClient } from 'iii-sdk';
import WebSocket from 'ws';
import { TestHarness, waitFor, waitForFunctions, waitForTrigger } from '../support/engine';

const RFC3339_UTC_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/;

describe('iii-cron over the worker protocol', () => {
  let h: TestHarness;
  let iii: IIIClient;

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('cron-tests');
  });

  afterAll(async () => {
    await h.close();
  });

  it('invokes the function every second with the cron payload and the trigger metadata', async () => {
    const fires: Array<{ data: Record<string, unknown>; metadata: unknown }> = [];
    iii.registerFunction('cron-tests::tick', async (data: Record<string, unknown>, metadata?: unknown) => {
      fires.push({ data, metadata });
      return null;
    });
    const trigger = iii.registerTrigger({
      type: 'cron',
      function_id: 'cron-tests::tick',
      config: { expression: '* * * * * *' },
      metadata: { owner: 'cron-tests' },
    });
    await waitForFunctions(iii, ['cron-tests::tick']);
    await waitForTrigger(iii, 'cron-tests::tick');

    await waitFor(() => fires.length > 0, { timeoutMs: 5000, description: 'the first cron fire' });
    trigger.unregister();

    const [{ data, metadata }] = fires;
    expect(Object.keys(data)).toEqual(['trigger', 'job_id', 'scheduled_time', 'actual_time']);
    expect(data.trigger).toBe('cron');
    expect(typeof data.job_id).toBe('string');
    expect(data.scheduled_time).toMatch(RFC3339_UTC_SECOND);
    expect(data.actual_time).toMatch(RFC3339_UTC);
    expect(Date.parse(data.actual_time as string)).toBeGreaterThanOrEqual(Date.parse(data.scheduled_time as string));
    expect(metadata).toEqual({ owner: 'cron-tests' });
  });

  /** Sends one registertrigger frame on a raw socket and resolves the engine's result frame. */
  async function registerRaw(config: unknown): Promise<Record<string, unknown>> {
    const socket = new WebSocket(h.urls.worker);
    try {
      const result = new Promise<Record<string, unknown>>((resolve, reject) => {
        socket.on('message', (raw) => {
          const frame = JSON.parse(raw.toString()) as Record<string, unknown>;
          if (frame.type === 'triggerregistrationresult') resolve(frame);
        });
        socket.on('error', reject);
      });
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(
        JSON.stringify({ type: 'registertrigger', id: 'bad-cron', trigger_type: 'cron', function_id: 'cron-tests::never', config }),
      );
      return await result;
    } finally {
      socket.close();
    }
  }

  it('reports a 5-field expression as an invalid cron expression', async () => {
    const frame = await registerRaw({ expression: '*/5 * * * *' });

    expect(frame).toMatchObject({
      id: 'bad-cron',
      trigger_type: 'cron',
      function_id: 'cron-tests::never',
      error: { code: 'trigger_registration_failed', message: expect.stringMatching(/^Invalid cron expression '\*\/5 \* \* \* \*': /) },
    });
  });

  it('reports a missing expression as required', async () => {
    const frame = await registerRaw({});

    expect(frame).toMatchObject({ error: { code: 'trigger_registration_failed', message: 'Cron expression is required' } });
  });
});
