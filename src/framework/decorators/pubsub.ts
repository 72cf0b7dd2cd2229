import type { PubSubTriggerMeta } from '../metadata/types';
import { rejectUnknownKeys, requireNonEmptyString, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

export interface SubscribeOptions {
  functionId?: string;
}

/** Receives every message published to `topic` (trigger type `subscribe`; payload = the data). */
export function Subscribe(topic: string, options?: SubscribeOptions): MethodDecorator {
  const name = `@Subscribe('${String(topic)}')`;
  requireNonEmptyString(name, 'topic', topic);
  const opts = requireOptionsObject(name, options) as SubscribeOptions;
  rejectUnknownKeys(name, opts, ['functionId']);
  const functionId = optionalFunctionId(name, opts.functionId);
  return triggerDecorator(name, (method): PubSubTriggerMeta => ({
    kind: 'subscribe',
    method,
    topic,
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
