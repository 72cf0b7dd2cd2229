import type { CronTriggerMeta, FnTriggerMeta, PubSubTriggerMeta, QueueTriggerMeta } from '../metadata/types';
import { identity, logAndRethrow, payloadArgument, type TriggerAdapter } from './adapter';

/** Kinds whose payload goes to the method as-is and whose result goes back as-is. */
function passThrough<M extends CronTriggerMeta | PubSubTriggerMeta | QueueTriggerMeta | FnTriggerMeta>(
  kind: M['kind'],
  triggerType: string | null,
  config: (meta: M) => Record<string, unknown> | null,
): TriggerAdapter<M> {
  return {
    kind,
    triggerType,
    config,
    argument: payloadArgument,
    filter: () => null,
    skipped: () => undefined,
    reply: () => identity,
    fail: (_meta, functionId, logger) => logAndRethrow(functionId, logger),
  };
}

/** `cron`: payload `{ trigger:'cron', job_id, scheduled_time, actual_time }`. */
export const cronAdapter = passThrough<CronTriggerMeta>('cron', 'cron', (meta) => ({ expression: meta.expression }));
/** `subscribe`: payload = the published data, exactly. */
export const pubsubAdapter = passThrough<PubSubTriggerMeta>('subscribe', 'subscribe', (meta) => ({ topic: meta.topic }));
/** Queue consumer: a function only; the queue provider invokes it with the enqueued data. */
export const queueAdapter = passThrough<QueueTriggerMeta>('queue', null, () => null);
/** Plain function: invoked by id through `trigger()`. */
export const fnAdapter = passThrough<FnTriggerMeta>('fn', null, () => null);
