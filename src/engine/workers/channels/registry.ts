/**
 * Every live data channel, by id (engine.md §10). Channels are global: any worker-manager listener
 * serves any channel. A channel leaves the registry when both its ends are done, when its owner
 * connection is cleaned up, when the sweeper finds it half-used for too long, or on shutdown.
 */
import { timingSafeEqual } from 'node:crypto';
import { idPrefix, newId, newIdWithPrefix } from '../../core/ids';
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

/** Initial slots of the table (it doubles whenever it is half full, and never shrinks). */
const INITIAL_SLOTS = 256;

/**
 * Live channels sit in a table indexed by a number that is also the first 32 bits of their id
 * (`newIdWithPrefix`): every HTTP request creates and forgets two channels, and an array slot costs
 * far less than a map entry (a fresh 36-character id would be hashed on every insert, and a
 * churning map rehashes). The rest of the id is random, the access key wholly random.
 */
export class ChannelRegistry {
  private table: Array<Channel | undefined> = new Array<Channel | undefined>(INITIAL_SLOTS).fill(undefined);
  private count = 0;
  private nextSlot = 0;

  get size(): number {
    return this.count;
  }

  /** A new channel with fresh UUIDs for id and key; `capacity` is clamped to 1..1024. */
  create(capacity: number = DEFAULT_CAPACITY, owner?: string): Channel {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    let slot = this.nextSlot;
    // Skip numbers whose place is taken (a long-lived channel, or the numbers wrapping after 2^32).
    while (this.table[slot & mask] !== undefined) slot = (slot + 1) >>> 0;
    this.nextSlot = (slot + 1) >>> 0;
    const channel = new Channel({ id: newIdWithPrefix(slot), key: newId(), capacity: clampCapacity(capacity), owner });
    this.table[slot & mask] = channel;
    this.count++;
    channel.onFinished = this.forget;
    return channel;
  }

  /** The channel when both id and access key match; undefined otherwise (never says which was wrong). */
  find(id: string, key: string): Channel | undefined {
    const prefix = idPrefix(id);
    if (Number.isNaN(prefix)) return undefined;
    const channel = this.table[prefix & (this.table.length - 1)];
    return channel !== undefined && channel.id === id && sameKey(channel.key, key) ? channel : undefined;
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
    const index = idPrefix(channel.id) & (this.table.length - 1);
    if (this.table[index] !== channel) return;
    this.table[index] = undefined;
    this.count--;
  };

  /** Live channels, as a copy (removing while iterating is safe). */
  private live(): Channel[] {
    const channels: Channel[] = [];
    for (const channel of this.table) if (channel !== undefined) channels.push(channel);
    return channels;
  }

  /** Doubles the table; live channels keep distinct places (their numbers differed in fewer bits already). */
  private grow(): void {
    const table = new Array<Channel | undefined>(this.table.length * 2).fill(undefined);
    const mask = table.length - 1;
    for (const channel of this.live()) table[idPrefix(channel.id) & mask] = channel;
    this.table = table;
  }
}
