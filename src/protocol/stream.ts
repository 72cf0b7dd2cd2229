/**
 * The stream protocol (engine.md §8): the envelope the stream port sends to clients and hands to
 * `stream` triggers, the frames a client sends, and the `stream:join` / `stream:leave` payload.
 * The client protocol and the trigger payload are camelCase; the function inputs are snake_case.
 */
import { isPlainObject } from './json';

/** An item change. `T` is the item type; a `delete` carries the value as it was. */
export type StreamItemChange<T = unknown> = { type: 'create'; data: T } | { type: 'update'; data: T } | { type: 'delete'; data: T };

/** A custom event sent with `stream::send`. */
export interface StreamCustomEvent<D = unknown> {
  type: 'event';
  event: { type: string; data: D };
}

/** What a write produces: what `stream` triggers and subscribers receive. */
export type StreamChange<T = unknown, D = unknown> = StreamItemChange<T> | StreamCustomEvent<D>;

/** Why the embedded engine refused a join before its guards ran (docs/streams-protocol.md). */
export interface StreamJoinError {
  /** `subscription_limit` or `duplicate_subscription`. */
  code: string;
  message: string;
}

/**
 * The `event` member of a server → client envelope: a change, the `sync` that answers a join (the
 * group's items, or the one item, `null` when absent), `unauthorized` for a join its guards
 * refused, or `error` for one the engine's limits refused (embedded engine only).
 */
export type StreamEvent<T = unknown, D = unknown> =
  { type: 'sync'; data: D } | StreamChange<T, D> | { type: 'unauthorized' } | { type: 'error'; error: StreamJoinError };

/**
 * `StreamWrapperMessage`: the envelope of every frame a client receives, and of the `stream`
 * trigger payload. `id` is present and `null` when the event is not about one item.
 */
export interface StreamEnvelope<E> {
  type: 'stream';
  timestamp: number;
  streamName: string;
  groupId: string;
  id: string | null;
  event: E;
}

/**
 * The resume fields the embedded engine adds to the envelope (the reference engine sends none;
 * clients that do not know them ignore them). `seq` numbers the events of one group 1, 2, 3, …
 * (a sync carries the seq of the last event its data includes); `version` counts the writes of
 * the item since it was created (change frames and item syncs); a sync also carries the group's
 * `epoch`, and `gap: true` when it answers a resume the server could not serve from its log.
 */
export interface StreamPosition {
  seq: number;
  version?: number;
  epoch?: string;
  gap?: true;
}

/**
 * A frame from the stream port, as a client sees it (`T`: the item type). The resume fields are
 * there on the embedded engine only.
 */
export type StreamMessage<T = unknown> = StreamEnvelope<StreamEvent<T>> & Partial<StreamPosition>;

/** `@OnStreamChange` / `stream` trigger payload (engine.md §8.3–8.4). */
export type StreamChangeEvent<T = unknown> = StreamEnvelope<StreamChange<T>>;

/** Builds an envelope stamped with the current time. */
export function streamEnvelope<E>(streamName: string, groupId: string, id: string | null, event: E): StreamEnvelope<E> {
  return { type: 'stream', timestamp: Date.now(), streamName, groupId, id, event };
}

/** `stream:join` / `stream:leave` trigger payload (engine.md §8.5). */
export interface StreamSubscriptionEvent<C = unknown> {
  subscription_id: string;
  stream_name: string;
  group_id: string;
  id: string | null;
  /** What the stream auth function returned as context, if any. */
  context: C | null;
}

/** The data of a client's `join` / `leave` frame. */
export interface ClientFrameData {
  subscriptionId: string;
  streamName: string;
  groupId: string;
  /** Item id, or `null` for the whole group. */
  id: string | null;
  /** Join only: resume after this seq. Anything but a whole number ≥ 0 is kept as -1 (answered with a gap sync). */
  since?: number;
  /** Join only: the epoch of the client's last sync. */
  epoch?: string;
}

/** A frame a stream client sends (engine.md §8.3): `join` or `leave`. */
export interface ClientFrame {
  type: 'join' | 'leave';
  data: ClientFrameData;
}

/**
 * The frame as a client puts it on the wire: `id` is left out for a whole-group `join` and sent
 * as `null` in a whole-group `leave`.
 */
export interface ClientFrameOut {
  type: 'join' | 'leave';
  data: { subscriptionId: string; streamName: string; groupId: string; id?: string | null; since?: number; epoch?: string };
}

/** The frame, or `undefined` for anything malformed (such frames are ignored, never answered). */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const type = parsed.type;
  if (type !== 'join' && type !== 'leave') return undefined;
  const data = parsed.data;
  if (!isPlainObject(data)) return undefined;
  const { subscriptionId, streamName, groupId, id } = data;
  if (typeof subscriptionId !== 'string' || typeof streamName !== 'string' || typeof groupId !== 'string') {
    return undefined;
  }
  if (id !== undefined && id !== null && typeof id !== 'string') return undefined;
  const frame: ClientFrame = { type, data: { subscriptionId, streamName, groupId, id: id ?? null } };
  if (type === 'join') Object.assign(frame.data, resumeFields(data.since, data.epoch));
  return frame;
}

/** The `since` / `epoch` of a join, from a frame or from the query of a path-form URL (strings). */
export function resumeFields(since: unknown, epoch: unknown): Pick<ClientFrameData, 'since' | 'epoch'> {
  const fields: Pick<ClientFrameData, 'since' | 'epoch'> = {};
  if (since !== undefined && since !== null) {
    const value = typeof since === 'string' && /^\d+$/.test(since) ? Number(since) : since;
    fields.since = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : -1;
  }
  if (typeof epoch === 'string' && epoch !== '') fields.epoch = epoch;
  return fields;
}

/**
 * A server frame, or `null` for anything that is not one (a client ignores those). A missing or
 * non-string `id` reads as `null`.
 */
export function parseStreamMessage(raw: string): StreamMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  const m = value as Partial<StreamMessage> & { event?: { type?: unknown; event?: unknown } };
  if (typeof m.streamName !== 'string' || m.streamName === '' || typeof m.groupId !== 'string') return null;
  if (typeof m.event !== 'object' || m.event === null || typeof m.event.type !== 'string') return null;
  if (m.event.type === 'event' && (typeof m.event.event !== 'object' || m.event.event === null)) return null;
  return { ...(m as StreamMessage), id: typeof m.id === 'string' ? m.id : null };
}
