/** A group's items kept live in a Map, on top of a `StreamClient` subscription. */
import type { StreamMessage } from '../protocol/stream';
import type { StreamClient } from './connection';
import type { StreamSubscription } from './messages';

export interface LiveGroupOptions<T> {
  /** How to find an item's id inside a synced value. Default: its `id` property. */
  idOf?(item: T): string;
  onChange?(items: ReadonlyMap<string, T>, change: LiveGroupChange<T>): void;
}

export type LiveGroupChange<T> = { type: 'sync' } | { type: 'create' | 'update' | 'delete'; id: string; item: T };

/**
 * A live Map of a group's items: replaced on every sync (including the resync after a reconnect),
 * patched by create/update/delete.
 */
export class LiveGroup<T> {
  readonly items = new Map<string, T>();
  readonly subscription: StreamSubscription;

  constructor(client: StreamClient, target: { stream: string; group: string }, options: LiveGroupOptions<T> = {}) {
    const idOf = options.idOf ?? defaultIdOf;
    this.subscription = client.join<T>(
      { stream: target.stream, group: target.group },
      {
        onMessage: (message) => {
          const change = applyStreamMessage(this.items, message, idOf);
          if (change) options.onChange?.(this.items, change);
        },
      },
    );
  }

  values(): T[] {
    return [...this.items.values()];
  }

  leave(): void {
    this.subscription.leave();
  }
}

/** Applies one group frame to a Map of items; returns what changed, or null if nothing did. */
export function applyStreamMessage<T>(
  items: Map<string, T>,
  message: StreamMessage<T>,
  idOf: (item: T) => string = defaultIdOf,
): LiveGroupChange<T> | null {
  const event = message.event;
  if (event.type === 'sync') {
    items.clear();
    const values = Array.isArray(event.data) ? (event.data as T[]) : [];
    for (const value of values) {
      const id = safeId(idOf, value);
      if (id !== null) items.set(id, value);
    }
    return { type: 'sync' };
  }
  if (event.type !== 'create' && event.type !== 'update' && event.type !== 'delete') return null;
  const id = message.id ?? safeId(idOf, event.data);
  if (id === null) return null;
  if (event.type === 'delete') items.delete(id);
  else items.set(id, event.data);
  return { type: event.type, id, item: event.data };
}

function defaultIdOf<T>(item: T): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function safeId<T>(idOf: (item: T) => string, item: T): string | null {
  try {
    const id = idOf(item);
    return typeof id === 'string' && id !== '' ? id : null;
  } catch {
    return null;
  }
}
