import type { PubSubTriggerMeta } from '../metadata/types';
import { requireNonEmptyString } from './checks';
import { functionIdOption, triggerDecorator } from './trigger';

export interface SubscribeOptions {
  functionId?: string;
}

/** Receives every message published to `topic` (trigger type `subscribe`; payload = the data). */
export function Subscribe(topic: string, options?: SubscribeOptions): MethodDecorator {
  const name = `@Subscribe('${String(topic)}')`;
  requireNonEmptyString(name, 'topic', topic);
  const functionId = functionIdOption(name, options);
  return triggerDecorator(name, (method): PubSubTriggerMeta => ({
    kind: 'subscribe',
    method,
    topic,
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
