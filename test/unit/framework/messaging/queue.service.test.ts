import { Queue, type Logger } from '../../../../src/framework';
import type { QueueRoute } from '../../../../src/framework/messaging/queue.service';
import { FakeIII } from '../../../fakes/fake-iii';

const recordingLogger = (): Logger & { warnings: string[] } => {
  const warnings: string[] = [];
  return { warnings, log() {}, error() {}, warn: (message: string) => void warnings.push(message) };
};

describe('Queue.enqueue', () => {
  const routes = new Map<string, QueueRoute>([
    ['mail::send', { queue: 'emails' }],
    ['mail::retry', { queue: 'emails', retry: { maxAttempts: 4, backoffMs: 100 } }],
  ]);

  it('without retries: TriggerAction.Enqueue on the queue @OnQueue names, else the one given, else default', async () => {
    const iii = new FakeIII();
    const queue = new Queue(iii, routes);
    await queue.enqueue('mail::send', { to: 'a' });
    await queue.enqueue('mail::send', { to: 'b' }, 'bulk');
    await queue.enqueue('other::fn', 1);
    expect(iii.calls.map((c) => [c.function_id, c.action])).toEqual([
      ['mail::send', { type: 'enqueue', queue: 'emails' }],
      ['mail::send', { type: 'enqueue', queue: 'bulk' }],
      ['other::fn', { type: 'enqueue', queue: 'default' }],
    ]);
  });

  it("with retries: the queue provider's request plus max_attempts/backoff_ms (the call's own over @OnQueue's)", async () => {
    const iii = new FakeIII().respondTo('engine::queue::enqueue', (payload) => ({
      messageReceiptId: (payload as { messageReceiptId: string }).messageReceiptId,
      retry: {},
    }));
    const logger = recordingLogger();
    const queue = new Queue(iii, routes, logger);
    const first = await queue.enqueue('mail::retry', { to: 'a' });
    await queue.enqueue('mail::send', { to: 'b' }, { retry: { maxAttempts: 2 } });
    const payloads = iii.callsTo('engine::queue::enqueue').map((c) => c.payload);
    expect(payloads).toEqual([
      {
        queue: 'emails',
        function_id: 'mail::retry',
        data: { to: 'a' },
        messageReceiptId: first.messageReceiptId,
        max_attempts: 4,
        backoff_ms: 100,
      },
      { queue: 'emails', function_id: 'mail::send', data: { to: 'b' }, messageReceiptId: expect.any(String), max_attempts: 2 },
    ]);
    expect(logger.warnings).toEqual([]);
  });

  it('says once when the provider ignored the retries (it does not echo them)', async () => {
    const iii = new FakeIII().respondTo('engine::queue::enqueue', () => ({ messageReceiptId: 'r' }));
    const logger = recordingLogger();
    const queue = new Queue(iii, routes, logger);
    expect(await queue.enqueue('mail::retry', 1)).toEqual({ messageReceiptId: 'r' });
    await queue.enqueue('mail::retry', 2);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain("retried by the settings of queue 'emails'");
  });

  it('falls back to TriggerAction.Enqueue when no provider function can be called directly', async () => {
    const iii = new FakeIII().respondTo('engine::queue::enqueue', () => {
      throw Object.assign(new Error('Function engine::queue::enqueue not found'), { code: 'function_not_found' });
    });
    const queue = new Queue(iii, routes);
    await queue.enqueue('mail::retry', 1);
    expect(iii.calls.at(-1)).toMatchObject({ function_id: 'mail::retry', action: { type: 'enqueue', queue: 'emails' } });
  });

  it('refuses a wrong retry policy', () => {
    const queue = new Queue(new FakeIII(), routes);
    expect(() => queue.enqueue('mail::send', 1, { retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts must be an integer >= 1/);
  });
});
