/**
 * Client subscriptions, indexed by `(stream, group)` so an event costs one map lookup rather
 * than a walk over every connection.
 */
import { textFrame } from './outbox';
import type { StreamFrame } from './types';

/** Where a subscription's frames go (one per client connection). */
export interface SubscriptionSink {
  /**
   * Sends a whole WebSocket text frame (`textFrame`: header and UTF-8 JSON), or drops the client
   * if it cannot keep up. The same Buffer goes to every subscriber of an event: never modify it.
   */
  deliver(frame: Buffer): void;
}

export interface Subscription {
  readonly subscriptionId: string;
  readonly streamName: string;
  readonly groupId: string;
  /** Item id for an item subscription; `null` subscribes to the whole group. */
  readonly itemId: string | null;
  readonly sink: SubscriptionSink;
  /**
   * Events that arrived while the join's `sync` was being read; they are sent right after the
   * sync so a client never applies a stale snapshot on top of a newer change. `null` once synced.
   */
  pending: StreamFrame[] | null;
}

function groupKey(streamName: string, groupId: string): string {
  return JSON.stringify([streamName, groupId]);
}

/** Turns a frame into the text clients receive. */
export type FrameSerialiser = (message: object) => string;

/**
 * The frame as the reference engine 0.22 sends it: no `seq`, `version`, `epoch` or `gap` (the
 * `iii-0.22` semantics), so a client can only re-download a group after a reconnect.
 */
export function unnumberedFrame(message: object): string {
  const { seq: _seq, version: _version, epoch: _epoch, gap: _gap, ...plain } = message as Record<string, unknown>;
  return JSON.stringify(plain);
}

export class SubscriptionIndex {
  private readonly byGroup = new Map<string, Set<Subscription>>();

  constructor(private readonly serialise: FrameSerialiser = (message) => JSON.stringify(message)) {}

  /** The WebSocket frame clients receive for `message`. */
  frame(message: object): Buffer {
    return textFrame(this.serialise(message));
  }

  add(subscription: Subscription): void {
    const key = groupKey(subscription.streamName, subscription.groupId);
    let set = this.byGroup.get(key);
    if (set === undefined) {
      set = new Set();
      this.byGroup.set(key, set);
    }
    set.add(subscription);
  }

  remove(subscription: Subscription): void {
    const key = groupKey(subscription.streamName, subscription.groupId);
    const set = this.byGroup.get(key);
    if (set === undefined) return;
    set.delete(subscription);
    if (set.size === 0) this.byGroup.delete(key);
  }

  /**
   * Hands the message to every matching subscription: same stream and group, and either a
   * group subscription or one for the message's item. A connection with several matching
   * subscriptions receives the frame once per subscription (reference behaviour).
   */
  publish(message: StreamFrame): void {
    const set = this.byGroup.get(groupKey(message.streamName, message.groupId));
    if (set === undefined) return;
    // One serialisation, one UTF-8 encoding and one WebSocket header per event: the frame (seq
    // included) is the same bytes for every subscriber.
    let frame: Buffer | undefined;
    // A delivery may drop a slow client, which deletes its subscriptions from `set` mid-loop;
    // a Set iterator simply skips entries deleted before they are reached.
    for (const subscription of set) {
      if (subscription.itemId !== null && subscription.itemId !== message.id) continue;
      if (subscription.pending !== null) {
        subscription.pending.push(message);
        continue;
      }
      frame ??= this.frame(message);
      subscription.sink.deliver(frame);
    }
  }

  /** Subscriptions per stream group (diagnostics: the dev console). */
  groups(): Array<{ stream: string; group: string; subscribers: number }> {
    const rows: Array<{ stream: string; group: string; subscribers: number }> = [];
    for (const set of this.byGroup.values()) {
      const first = set.values().next().value;
      if (first !== undefined) rows.push({ stream: first.streamName, group: first.groupId, subscribers: set.size });
    }
    return rows;
  }

  /** Number of subscriptions (for tests and diagnostics). */
  get size(): number {
    let total = 0;
    for (const set of this.byGroup.values()) total += set.size;
    return total;
  }
}
