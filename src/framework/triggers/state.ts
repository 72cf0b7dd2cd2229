import type { StateTriggerMeta } from '../metadata/types';
import { identity, logAndRethrow, ownField, payloadArgument, type TriggerAdapter } from './adapter';

/** Trigger kind `state`: `{ type:'state', event_type, scope, key, old_value, new_value }` in. */
export const stateAdapter: TriggerAdapter<StateTriggerMeta> = {
  kind: 'state',
  triggerType: 'state',
  config: (meta) => ({
    scope: meta.scope,
    ...(meta.key !== undefined ? { key: meta.key } : {}),
    ...(typeof meta.condition === 'string' ? { condition_function_id: meta.condition } : {}),
    ...(meta.retry !== undefined ? { retry: meta.retry } : {}),
    ...(meta.concurrency !== undefined ? { concurrency: meta.concurrency } : {}),
  }),
  argument: payloadArgument,
  filter(meta) {
    const events = meta.events;
    if (events === undefined || events.length === 3) return null;
    return (payload) => events.includes(ownField(payload, 'event_type') as never);
  },
  skipped: () => undefined,
  reply: () => identity,
  fail: (_meta, functionId, logger) => logAndRethrow(functionId, logger),
};
