import { EngineError } from '../../../../../src/engine/core/errors';
import type { EngineWorker, TriggerRecord } from '../../../../../src/engine/core/types';
import { createPubsubWorker } from '../../../../../src/engine/workers/pubsub';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

function subscription(id: string, topic: unknown, functionId = `fn::${id}`): TriggerRecord {
  return { id, trigger_type: 'subscribe', function_id: functionId, config: { topic }, metadata: { m: id } };
}

describe('iii-pubsub worker', () => {
  let ctx: FakeEngineContext;
  let worker: EngineWorker;

  beforeEach(async () => {
    ctx = new FakeEngineContext();
    worker = createPubsubWorker({});
    await worker.start(ctx);
  });

  afterEach(async () => {
    await worker.stop();
    await ctx.storage.close();
  });

  it('registers the publish function and the subscribe trigger type', () => {
    expect(worker.name).toBe('iii-pubsub');
    expect(ctx.functions.has('publish')).toBe(true);
    expect(ctx.triggerTypes.has('subscribe')).toBe(true);
  });

  it('delivers the raw data to every subscriber of the topic without metadata or condition', async () => {
    await ctx.registerTrigger(subscription('a', 'orders'));
    await ctx.registerTrigger(subscription('b', 'orders'));

    const result = await ctx.call('publish', { topic: 'orders', data: { id: 1 } });

    expect(result).toBeUndefined();
    expect(ctx.fired).toHaveLength(1);
    expect(ctx.fired[0].triggers.map((t) => t.id).sort()).toEqual(['a', 'b']);
    expect(ctx.fired[0].payload).toEqual({ id: 1 });
    expect(ctx.fired[0].options).toEqual({ withMetadata: false, withCondition: false });
  });

  it('does not deliver to subscribers of other topics', async () => {
    await ctx.registerTrigger(subscription('a', 'orders'));
    await ctx.registerTrigger(subscription('b', 'invoices'));

    await ctx.call('publish', { topic: 'invoices', data: 1 });

    expect(ctx.fired.map((f) => f.triggers.map((t) => t.id))).toEqual([['b']]);
  });

  it('fires nothing when a topic has no subscribers', async () => {
    await ctx.call('publish', { topic: 'nobody', data: 1 });
    expect(ctx.fired).toHaveLength(0);
  });

  it.each([[{ data: 1 }], [{ topic: '', data: 1 }], [{ topic: null }]])(
    'rejects a missing or empty topic with topic_not_set (%j)',
    async (input) => {
      await expect(ctx.call('publish', input)).rejects.toMatchObject({ code: 'topic_not_set', message: 'Topic is not set' });
    },
  );

  it('rejects a non-object input and a non-string topic with INVALID_ARGUMENTS', async () => {
    await expect(ctx.call('publish', 'orders')).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    await expect(ctx.call('publish', { topic: 42 })).rejects.toBeInstanceOf(EngineError);
    await expect(ctx.call('publish', { topic: 42 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
  });

  it('delivers a missing data field as null', async () => {
    await ctx.registerTrigger(subscription('a', 'orders'));
    await ctx.call('publish', { topic: 'orders' });
    expect(ctx.fired[0].payload).toBeNull();
  });

  it('accepts a subscription without a topic, which never fires', async () => {
    await expect(ctx.registerTrigger(subscription('a', undefined))).resolves.toBeUndefined();
    await expect(ctx.registerTrigger(subscription('b', ''))).resolves.toBeUndefined();

    await ctx.call('publish', { topic: 'x', data: 1 });

    expect(ctx.fired).toHaveLength(0);
  });

  it('removes only the unsubscribed trigger from its topic', async () => {
    const a = subscription('a', 'orders');
    await ctx.registerTrigger(a);
    await ctx.registerTrigger(subscription('b', 'orders'));

    await ctx.unregisterTrigger(a);
    await ctx.call('publish', { topic: 'orders', data: 1 });

    expect(ctx.fired[0].triggers.map((t) => t.id)).toEqual(['b']);
  });

  it('replaces the binding when the same trigger id is registered again', async () => {
    await ctx.registerTrigger(subscription('a', 'orders'));
    await ctx.registerTrigger(subscription('a', 'invoices'));

    await ctx.call('publish', { topic: 'orders', data: 1 });
    await ctx.call('publish', { topic: 'invoices', data: 2 });

    expect(ctx.fired).toHaveLength(1);
    expect(ctx.fired[0].payload).toBe(2);
    expect(ctx.fired[0].triggers).toHaveLength(1);
  });

  it('treats __proto__ as an ordinary topic name', async () => {
    await ctx.registerTrigger(subscription('a', '__proto__'));
    await ctx.call('publish', { topic: '__proto__', data: 1 });
    await ctx.call('publish', { topic: 'constructor', data: 2 });
    expect(ctx.fired.map((f) => f.payload)).toEqual([1]);
  });

  it('forgets every subscription when stopped', async () => {
    await ctx.registerTrigger(subscription('a', 'orders'));
    await worker.stop();
    await ctx.call('publish', { topic: 'orders', data: 1 });
    expect(ctx.fired).toHaveLength(0);
  });
});
