/**
 * Wire shapes of the `iii-stream` worker (spec §8). The client protocol and the `stream` trigger
 * payload are camelCase; the function inputs are snake_case. Everything here is plain JSON.
 */
import type { Json } from '../../core/types';

/** The `event` member of a server → client envelope (§8.3). */
export type StreamEvent =
  | { type: 'sync'; data: Json }
  | { type: 'create'; data: Json }
  | { type: 'update'; data: Json }
  | { type: 'delete'; data: Json }
  | { type: 'event'; event: { type: string; data: Json } }
  | { type: 'unauthorized' };

/** The change events that writes produce (what `stream` triggers and subscribers receive). */
export type StreamChangeEvent = Exclude<StreamEvent, { type: 'sync' } | { type: 'unauthorized' }>;

/**
 * `StreamWrapperMessage`: the envelope sent to clients and handed to `stream` triggers.
 * `id` is present and `null` when the event is not about one item.
 */
export interface StreamMessage<E extends StreamEvent = StreamEvent> {
  type: 'stream';
  timestamp: number;
  streamName: string;
  groupId: string;
  id: string | null;
  event: E;
}

/** Builds an envelope stamped with the current time. */
export function streamMessage<E extends StreamEvent>(streamName: string, groupId: string, id: string | null, event: E): StreamMessage<E> {
  return { type: 'stream', timestamp: Date.now(), streamName, groupId, id, event };
}

/** Address of one item. */
export interface ItemRef {
  stream_name: string;
  group_id: string;
  item_id: string;
}

/** Address of one group. */
export interface GroupRef {
  stream_name: string;
  group_id: string;
}

export interface SetInput extends ItemRef {
  data: Json;
}

export interface UpdateInput extends ItemRef {
  ops: unknown[];
}

export interface SendInput extends GroupRef {
  id: string | null;
  type: string;
  data: Json;
}

/** `stream::set` result: `old_value` is always present (null when the item was new). */
export interface SetResult {
  old_value: Json;
  new_value: Json;
}

/** `stream::delete` result: object form, unlike `state::delete`. */
export interface DeleteResult {
  old_value: Json;
}

/** `stream::list_all` result. */
export interface ListAllResult {
  stream: Array<{ id: string; groups: string[] }>;
  count: number;
}

/** Payload of `stream:join` / `stream:leave` triggers (§8.5). */
export interface JoinLeaveEvent {
  subscription_id: string;
  stream_name: string;
  group_id: string;
  id: string | null;
  context: Json;
}
