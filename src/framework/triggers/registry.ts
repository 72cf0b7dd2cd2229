import type { TriggerKind, TriggerMeta } from '../metadata/types';
import type { TriggerAdapter } from './adapter';
import { httpAdapter } from './http';
import { cronAdapter, fnAdapter, pubsubAdapter, queueAdapter } from './simple';
import { stateAdapter } from './state';
import { joinLeaveAdapter, streamAdapter } from './stream';

/** Every trigger kind's adapter; adding a kind adds one line here. */
// Typed loosely: each entry is checked where it is defined (its own TriggerAdapter<M>).
const ADAPTERS: Record<TriggerKind, { readonly kind: string }> = {
  http: httpAdapter,
  state: stateAdapter,
  stream: streamAdapter,
  'stream:join': joinLeaveAdapter('stream:join'),
  'stream:leave': joinLeaveAdapter('stream:leave'),
  cron: cronAdapter,
  subscribe: pubsubAdapter,
  queue: queueAdapter,
  fn: fnAdapter,
};

export function adapterFor<M extends TriggerMeta>(meta: M): TriggerAdapter<M> {
  return ADAPTERS[meta.kind] as unknown as TriggerAdapter<M>;
}
