/**
 * `iii-pubsub` through real iii-sdk workers against the embedded engine (engine.md §12.1): `publish`
 * from one worker reaches `subscribe` triggers of another with the raw data, per topic.
 */
import type { IIIClient } from 'iii-sdk';
import { TestHarness, waitFor, waitForFunctions, waitForTrigger } from '../support/engine';

interface Delivery {
  data: unknown;
  metadata: unknown;
}

describe('iii-pubsub over the worker protocol', () => {
  let h: TestHarness;
  let publisher: IIIClient;
  let subscriber: IIIClient;
  let counter = 0;
  let topic: string;

  /** Registers a function recording what it receives, subscribed to `onTopic`. */
  async function subscribe(
    onTopic: string,
    metadata?: Record<string, unknown>,
  ): Promise<{ deliveries: Delivery[]; unregister: () => void }> {
    counter += 1;
    const functionId = `pubsub-tests::on-${counter}`;
    const deliveries: Delivery[] = [];
    subscriber.registerFunction(functionId, async (data: unknown, meta?: unknown) => {
      deliveries.push({ data, metadata: meta });
      return null;
    });
    const trigger = subscriber.registerTrigger({
      type: 'subscribe',
      function_id: functionId,
      config: { topic: onTopic },
      ...(metadata !== undefined && { metadata }),
    });
    await waitForFunctions(publisher, [functionId]);
    await waitForTrigger(publisher, functionId);
    return { deliveries, unregister: () => trigger.unregister() };
  }

  function publish(payload: unknown): Promise<unknown> {
    return publisher.trigger({ function_id: 'publish', payload });
  }

  beforeAll(async () => {
    h = await TestHarness.start();
    publisher = h.worker('publisher');
    subscriber = h.worker('subscriber');
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    counter += 1;
    topic = `topic-${counter}`;
  });

  it('delivers the published data, exactly once, to a subscriber of the topic', async () => {
    const sub = await subscribe(topic);

    await expect(publish({ topic, data: { message: 'hello' } })).resolves.toBeUndefined();

    await waitFor(() => sub.deliveries.length > 0, { description: 'a delivery' });
    expect(sub.deliveries).toEqual([{ data: { message: 'hello' }, metadata: undefined }]);
  });

  it('does not deliver to subscribers of another topic', async () => {
    const mine = await subscribe(topic);
    const other = await subscribe(`${topic}-other`);

    await publish({ topic, data: 1 });
    await publish({ topic: `${topic}-other`, data: 2 });

    await waitFor(() => mine.deliveries.length > 0 && other.deliveries.length > 0);
    expect(mine.deliveries.map((d) => d.data)).toEqual([1]);
    expect(other.deliveries.map((d) => d.data)).toEqual([2]);
  });

  it('does not pass the trigger metadata to subscribers', async () => {
    const sub = await subscribe(topic, { team: 'billing' });

    await publish({ topic, data: 'x' });

    await waitFor(() => sub.deliveries.length > 0);
    expect(sub.deliveries[0].metadata).toBeUndefined();
  });

  it('keeps other subscriptions of a topic when one is unsubscribed', async () => {
    const leaving = await subscribe(topic);
    const staying = await subscribe(topic);
    leaving.unregister();
    // Registrations are not acknowledged: wait until the engine forgot the trigger.
    await waitFor(async () => {
      const listed = await publisher.trigger<unknown, { registered_triggers: Array<{ config: unknown; function_id: string }> }>({
        function_id: 'engine::registered-triggers::list',
        payload: { include_internal: true },
      });
      return listed.registered_triggers.filter((t) => (t.config as { topic?: string } | null)?.topic === topic).length === 1;
    });

    await publish({ topic, data: 'after' });

    await waitFor(() => staying.deliveries.length > 0);
    expect(staying.deliveries.map((d) => d.data)).toEqual(['after']);
    expect(leaving.deliveries).toEqual([]);
  });

  it('rejects a publish without a topic with topic_not_set', async () => {
    await expect(publish({ topic: '', data: 1 })).rejects.toMatchObject({
      code: 'topic_not_set',
      message: 'topic_not_set: Topic is not set',
    });
  });
});
