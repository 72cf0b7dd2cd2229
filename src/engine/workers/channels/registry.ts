/**
 * Every live data channel, by id (engine.md §10). Channels are global: any worker-manager listener
 * serves any channel. A channel leaves the registry when both its ends are done, when its owner
 * connection is cleaned up, when the sweeper finds it half-used for too long, or on shutdown.
 */
import { timingSafeEqual } from 'node:crypto';
import { newId } from '../../core/ids';
import { SlotTable } from '../../core/slot-table';
import { Channel } from './channel';

/** `buffer_size` bounds of `engine::channels::create` (engine.md §6.10), in items. */
export const DEFAULT_CAPACITY = 64;
export const MIN_CAPACITY = 1;
export const MAX_CAPACITY = 1024;

/** Channels with an end never claimed are dropped after this long (engine.md §10: 5 minutes). */
export const HALF_USED_MAX_AGE_MS = 5 * 60_000;

function sameKey(expected: string, given: string): boolean {
  // Constant time: an access key is a bearer secret.
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function clampCapacity(requested: number): number {
  return Math.min(MAX_CAPACITY, Math.max(MIN_CAPACITY, Math.floor(requested)));
}

/**
 * Live channels sit in a `SlotTable` (every HTTP request creates and forgets two channels): their
 * ids are the table's, the access key wholly random.
 */
export class ChannelRegistry {
  private readonly table = new SlotTable<Channel>();

  get size(): number {
    return this.table.size;
  }

  /** A new channel with fresh UUIDs for id and key; `capacity` is clamped to 1..1024. */
  create(capacity: number = DEFAULT_CAPACITY, owner?: string): Channel {
    const channel = this.table.add((id) => new Channel({ id, key: newId(), capacity: clampCapacity(capacity), owner }));
    channel.onFinished = this.forget;
    return channel;
  }

  /** The channel when both id and access key match; undefined otherwise (never says which was wrong). */
  find(id: string, key: string): Channel | undefined {
    const channel = this.table.get(id);
    return channel !== undefined && sameKey(channel.key, key) ? channel : undefined;
  }

  /** Destroys and forgets a channel (both ends are told). */
  remove(channel: Channel): void {
    this.forget(channel);
    channel.destroy();
  }

  /** Drops the channels a worker connection owned (its cleanup). */
  dropOwnedBy(workerId: string): number {
    let dropped = 0;
    for (const channel of this.live()) {
      if (channel.owner !== workerId) continue;
      this.remove(channel);
      dropped++;
    }
    return dropped;
  }

  /**
   * Drops channels older than `maxAgeMs` that still have an end nobody claimed: their other side
   * is never coming, and the buffered items would otherwise live forever.
   */
  sweep(now: number = Date.now(), maxAgeMs: number = HALF_USED_MAX_AGE_MS): number {
    let dropped = 0;
    for (const channel of this.live()) {
      if (now - channel.createdAt < maxAgeMs) continue;
      if (channel.writerClaimed && channel.readerClaimed) continue;
      this.remove(channel);
      dropped++;
    }
    return dropped;
  }

  /** Destroys every channel (shutdown). */
  clear(): void {
    for (const channel of this.live()) this.remove(channel);
  }

  /** One function for every channel's `onFinished` (no closure per channel). */
  private readonly forget = (channel: Channel): void => {
    this.table.delete(channel.id);
  };

  /** Live channels, as a copy (removing while iterating is safe). */
  private live(): Channel[] {
    return this.table.entries().map(([, channel]) => channel);
  }
}
