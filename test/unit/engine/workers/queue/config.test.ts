import { parseQueueWorkerConfig, QueueConfigError } from '../../../../../src/engine/workers/queue/config';

describe('iii-queue config', () => {
  it('always has a default queue with the reference defaults', () => {
    const config = parseQueueWorkerConfig({});
    expect(config.queues.get('default')).toEqual({
      name: 'default',
      type: 'standard',
      message_group_field: undefined,
      max_retries: 3,
      concurrency: 10,
      backoff_ms: 1000,
      poll_interval_ms: 100,
    });
  });

  it('reads named queues from queue_configs, keeping an explicit default', () => {
    const config = parseQueueWorkerConfig({
      queue_configs: { default: { max_retries: 5 }, payment: { type: 'fifo', message_group_field: 'tx', concurrency: 2 } },
    });
    expect(config.queues.get('default')?.max_retries).toBe(5);
    expect(config.queues.get('payment')).toMatchObject({ type: 'fifo', message_group_field: 'tx', concurrency: 2 });
  });

  it('reads a list of named queues from queues', () => {
    const config = parseQueueWorkerConfig({ queues: [{ name: 'emails', backoff_ms: 10 }] });
    expect([...config.queues.keys()].sort()).toEqual(['default', 'emails']);
    expect(config.queues.get('emails')?.backoff_ms).toBe(10);
  });

  it.each([
    [{ queue_configs: { a: { max_retries: -1 } } }, /queue 'a': max_retries must be an integer >= 0/],
    [{ queue_configs: { a: { concurrency: 0 } } }, /queue 'a': concurrency must be an integer >= 1/],
    [{ queue_configs: { a: { backoff_ms: '10' } } }, /queue 'a': backoff_ms must be an integer/],
    [{ queue_configs: { a: { type: 'lifo' } } }, /type must be 'standard' or 'fifo'/],
    [{ queue_configs: { a: { type: 'fifo' } } }, /FIFO queue 'a' requires 'message_group_field'/],
    [{ queue_configs: ['x'] }, /queues\[0\] needs a non-empty string 'name'/],
    [{ queue_configs: 'x' }, /must be a map/],
  ])('rejects bad settings with a QueueConfigError naming the culprit (%j)', (raw, message) => {
    let error: unknown;
    try {
      parseQueueWorkerConfig(raw as Record<string, unknown>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(QueueConfigError);
    expect((error as QueueConfigError).code).toBe('QUEUE_CONFIG_INVALID');
    expect((error as Error).message).toMatch(message);
  });
});
