/**
 * What a client joins and what it receives: targets, typed handlers, and how frames are routed.
 *
 * Wire facts the client relies on (engine.md §8.3):
 * - frames carry no subscriptionId, so events are routed by (streamName, groupId, id);
 * - a connection receives one copy of an event per matching server-side subscription, so the client
 *   keeps ONE server-side subscription per (stream, group, item) and fans out locally;
 * - joining again with the same subscriptionId replaces the subscription and triggers a fresh sync,
 *   which is how a late local subscriber gets the current state.
 */
import type { StreamEvent, StreamJoinError, StreamMessage } from '../protocol/stream';

export type { StreamJoinError, StreamMessage };

/** The event inside a server frame (`T`: the item type). */
export type StreamMessageEvent<T = unknown> = StreamEvent<T>;

export interface StreamTarget {
  stream: string;
  group: string;
  /** Join a single item instead of the whole group. */
  item?: string;
}

/** `S` is what a sync carries: the group's items, or the single item (null when absent). */
export interface StreamHandlers<T, S> {
  onSync?(data: S, message: StreamMessage<T>): void;
  onCreate?(item: T, id: string | null, message: StreamMessage<T>): void;
  onUpdate?(item: T, id: string | null, message: StreamMessage<T>): void;
  /** `item` is the value as it was before deletion. */
  onDelete?(item: T, id: string | null, message: StreamMessage<T>): void;
  onEvent?(type: string, data: unknown, message: StreamMessage<T>): void;
  onUnauthorized?(message: StreamMessage<T>): void;
  /** The engine refused the join (`subscription_limit`, `duplicate_subscription`): `error.message` says why. */
  onError?(error: StreamJoinError, message: StreamMessage<T>): void;
  /** Every frame for this subscription, after the typed handler. */
  onMessage?(message: StreamMessage<T>): void;
}
export type GroupHandlers<T> = StreamHandlers<T, T[]>;
export type ItemHandlers<T> = StreamHandlers<T, T | null>;

export interface StreamSubscription {
  readonly stream: string;
  readonly group: string;
  readonly item: string | undefined;
  /** Resolves `true` at the first sync, `false` if unauthorized, refused, left or closed first. Never rejects. */
  readonly synced: Promise<boolean>;
  leave(): void;
}

/** The key of one server-side subscription. */
export function channelKey(stream: string, group: string, item: string | null): string {
  // JSON keeps the parts unambiguous whatever characters the names contain.
  return JSON.stringify([stream, group, item]);
}

/** Whether a frame is a change every matching subscription receives a copy of. */
export function isChange(message: StreamMessage): boolean {
  const type = message.event.type;
  return type === 'create' || type === 'update' || type === 'delete' || type === 'event';
}

/** Calls the handler the frame is for, then `onMessage`. */
export function dispatch(handlers: StreamHandlers<unknown, unknown>, message: StreamMessage): void {
  const event = message.event;
  switch (event.type) {
    case 'sync':
      handlers.onSync?.(event.data, message);
      break;
    case 'create':
      handlers.onCreate?.(event.data, message.id, message);
      break;
    case 'update':
      handlers.onUpdate?.(event.data, message.id, message);
      break;
    case 'delete':
      handlers.onDelete?.(event.data, message.id, message);
      break;
    case 'event':
      handlers.onEvent?.(event.event.type, event.event.data, message);
      break;
    case 'unauthorized':
      handlers.onUnauthorized?.(message);
      break;
    case 'error':
      handlers.onError?.(event.error, message);
      break;
  }
  handlers.onMessage?.(message);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
