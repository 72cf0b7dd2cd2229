/**
 * Wire shapes of the `iii-stream` worker (engine.md §8). The client protocol and the `stream` trigger
 * payload are camelCase; the function inputs are snake_case. Everything here is plain JSON.
 */
import type {
  StreamChange,
  StreamEnvelope,
  StreamEvent as WireStreamEvent,
  StreamPosition,
  StreamSubscriptionEvent,
} from '../../../protocol/stream';
import type { Json } from '../../core/types';

export { streamEnvelope as streamMessage } from '../../../protocol/stream';

/** The `event` member of a server → client envelope (engine.md §8.3), with JSON values. */
export type StreamEvent = WireStreamEvent<Json, Json>;

/** The change events that writes produce (what `stream` triggers and subscribers receive). */
export type StreamChangeEvent = StreamChange<Json, Json>;

/** `StreamWrapperMessage`: the envelope sent to clients and handed to `stream` triggers. */
export type StreamMessage<E extends StreamEvent = StreamEvent> = StreamEnvelope<E>;

/** A frame as clients receive it: the envelope plus the resume fields (see `StreamPosition`). */
export type StreamFrame<E extends StreamEvent = StreamEvent> = StreamMessage<E> & StreamPosition;

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

/** Payload of `stream:join` / `stream:leave` triggers (engine.md §8.5). */
export type JoinLeaveEvent = StreamSubscriptionEvent<Json>;
