import { idPrefix, newIdWithPrefix } from './ids';

/** Initial slots of a table (it doubles whenever it is half full, and never shrinks). */
const INITIAL_SLOTS = 256;

/**
 * Values kept under ids the table makes itself, whose first 32 bits (`newIdWithPrefix`) are a
 * number that is also their place in an array. The engine makes and forgets such entries on every
 * HTTP request (two data channels, one invocation): an array slot costs far less than a map entry
 * (a fresh 36-character id is hashed on every map access, and a map that gains and loses entries
 * all the time keeps rehashing). The rest of each id is random.
 */
export class SlotTable<T> {
  private values: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  /** The id of each slot's value (parallel to `values`). */
  private ids: Array<string | undefined> = new Array<string | undefined>(INITIAL_SLOTS).fill(undefined);
  private count = 0;
  private nextSlot = 0;

  get size(): number {
    return this.count;
  }

  /** Stores the value `make` builds for a fresh id, and returns it. */
  add<V extends T>(make: (id: string) => V): V {
    if ((this.count + 1) * 2 > this.values.length) this.grow();
    const mask = this.values.length - 1;
    let slot = this.nextSlot;
    // Skip numbers whose place is taken (a long-lived entry, or the numbers wrapping after 2^32).
    while (this.values[slot & mask] !== undefined) slot = (slot + 1) >>> 0;
    this.nextSlot = (slot + 1) >>> 0;
    const id = newIdWithPrefix(slot);
    const value = make(id);
    this.values[slot & mask] = value;
    this.ids[slot & mask] = id;
    this.count++;
    return value;
  }

  /** The value stored under `id`, or undefined (not an id of this table, or forgotten). */
  get(id: string): T | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Forgets the value under `id`; returns it, or undefined when there was none. */
  delete(id: string): T | undefined {
    const slot = this.slotOf(id);
    if (slot < 0) return undefined;
    const value = this.values[slot];
    this.values[slot] = undefined;
    this.ids[slot] = undefined;
    this.count--;
    return value;
  }

  /** Every value with its id, as a copy (deleting while iterating is safe). */
  entries(): Array<[string, T]> {
    const all: Array<[string, T]> = [];
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i];
      if (value !== undefined) all.push([this.ids[i] as string, value]);
    }
    return all;
  }

  private slotOf(id: string): number {
    const prefix = idPrefix(id);
    if (Number.isNaN(prefix)) return -1;
    const slot = prefix & (this.values.length - 1);
    return this.ids[slot] === id ? slot : -1;
  }

  /** Doubles the table; stored ids keep distinct places (their numbers differed in fewer bits already). */
  private grow(): void {
    const size = this.values.length * 2;
    const values = new Array<T | undefined>(size).fill(undefined);
    const ids = new Array<string | undefined>(size).fill(undefined);
    for (let i = 0; i < this.values.length; i++) {
      const id = this.ids[i];
      if (id === undefined) continue;
      const slot = idPrefix(id) & (size - 1);
      values[slot] = this.values[i];
      ids[slot] = id;
    }
    this.values = values;
    this.ids = ids;
  }
}
