import { EngineError } from '../../core/errors';
import type { EngineContext, EngineWorker, TriggerRecord, WorkerFactory } from '../../core/types';
import { TopicSubscriptions } from './subscriptions';

/**
 * `iii-pubsub` with the reference engine's `local` adapter semantics (engine.md §12.1): function
 * `publish {topic, data}` and trigger type `subscribe {topic}`. Delivery is fire-and-forget:
 * every subscriber gets the raw `data` (no envelope, no trigger metadata, no condition), results
 * and errors are ignored, nothing is retried or persisted.
 */
export const createPubsubWorker: WorkerFactory = () => new PubsubWorker();

export const PUBLISH_FUNCTION_ID = 'publish';
export const SUBSCRIBE_TRIGGER_TYPE = 'subscribe';

class PubsubWorker implements EngineWorker {
  readonly name = 'iii-pubsub';
  private readonly subscriptions = new TopicSubscriptions();
  private context: EngineContext | undefined;

  async start(context: EngineContext): Promise<void> {
    this.context = context;
    context.registerFunction({
      id: PUBLISH_FUNCTION_ID,
      description: 'Publish an event to a topic',
      handler: (input) => this.publish(input),
    });
    context.registerTriggerType({
      id: SUBSCRIBE_TRIGGER_TYPE,
      description: 'Subscribe to a pub/sub topic',
      provider: {
        register: (trigger) => this.subscribe(trigger),
        unregister: (trigger) => this.subscriptions.remove(trigger.id),
      },
    });
  }

  async stop(): Promise<void> {
    this.subscriptions.clear();
    this.context = undefined;
  }

  private publish(input: unknown): undefined {
    const { topic, data } = readPublishInput(input);
    const context = this.context;
    if (context === undefined) return undefined;
    const subscribers = this.subscriptions.subscribers(topic);
    if (subscribers.length > 0) {
      context.fire(subscribers, data, { withMetadata: false, withCondition: false });
    }
    return undefined;
  }

  private subscribe(trigger: TriggerRecord): void {
    const topic = topicOfConfig(trigger.config);
    if (topic === '') {
      this.context?.logger.warn('Topic is not set for subscribe trigger; it will never fire', {
        trigger_id: trigger.id,
        function_id: trigger.function_id,
      });
    }
    this.subscriptions.add(trigger, topic);
  }
}

function readPublishInput(input: unknown): { topic: string; data: unknown } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new EngineError('INVALID_ARGUMENTS', 'publish expects an object {topic, data}');
  }
  const record = input as Record<string, unknown>;
  const topic = record.topic;
  if (topic === undefined || topic === null || topic === '') {
    throw new EngineError('topic_not_set', 'Topic is not set');
  }
  if (typeof topic !== 'string') {
    throw new EngineError('INVALID_ARGUMENTS', "publish: 'topic' must be a string");
  }
  // A missing `data` is delivered as JSON null, like the reference engine's `Value` default.
  return { topic, data: record.data === undefined ? null : record.data };
}

/** Missing, empty or non-string topics are accepted (no error) and never fire, as in the engine. */
function topicOfConfig(config: unknown): string {
  if (config === null || typeof config !== 'object') return '';
  const topic = (config as Record<string, unknown>).topic;
  return typeof topic === 'string' ? topic : '';
}
