/**
 * The reference engine's bridge adapter announces every change it makes by publishing the
 * change message on the remote's pub/sub topic `stream.events`, which other reference bridges
 * subscribe to. We receive changes through remote `stream` triggers instead (`stream-relay.ts`),
 * but publish the same announcements so reference bridges sharing the remote see our writes.
 *
 * The message is rebuilt from the forwarded call and the remote's answer, with the same rules as
 * a local write (engine.md §8.1): `create` when there was no previous value, else `update`; `delete` only
 * when something was deleted; `send` as a custom `event`.
 */
import type { Json } from '../../../core/types';
import { streamMessage, type StreamChangeEvent, type StreamMessage } from '../types';
import { isRecord, stringField } from '../../../adapters/bridge/payload';

export const STREAM_EVENTS_TOPIC = 'stream.events';

/** The change message a successful forwarded call caused, or `undefined` (reads, no-ops, odd answers). */
export function announcement(functionId: string, payload: unknown, result: unknown): StreamMessage<StreamChangeEvent> | undefined {
  const streamName = stringField(payload, 'stream_name');
  const groupId = stringField(payload, 'group_id');
  if (streamName === undefined || groupId === undefined) return undefined;
  if (functionId === 'stream::send') {
    const type = stringField(payload, 'type');
    if (type === undefined || !isRecord(payload)) return undefined;
    const event: StreamChangeEvent = { type: 'event', event: { type, data: (payload['data'] ?? null) as Json } };
    return streamMessage(streamName, groupId, stringField(payload, 'id') ?? null, event);
  }
  const itemId = stringField(payload, 'item_id');
  if (itemId === undefined || !isRecord(result)) return undefined;
  const old = (result['old_value'] ?? null) as Json;
  if (functionId === 'stream::set' || functionId === 'stream::update') {
    if (!Object.prototype.hasOwnProperty.call(result, 'new_value')) return undefined;
    const data = result['new_value'] as Json;
    return streamMessage(streamName, groupId, itemId, old === null ? { type: 'create', data } : { type: 'update', data });
  }
  if (functionId === 'stream::delete' && old !== null) {
    return streamMessage(streamName, groupId, itemId, { type: 'delete', data: old });
  }
  return undefined;
}
