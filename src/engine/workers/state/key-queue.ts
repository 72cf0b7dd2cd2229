/**
 * Orders the writes of one state key. A write's critical section (read the old value, issue the
 * storage write) runs only after the previous write of that key has *issued* its storage write;
 * keys never wait for each other. The storage applies writes in the order they are issued, so
 * this is enough for two concurrent `state::update`s never to read the same old value — without
 * holding the key for a whole commit.
 */
export class KeyQueue {
  /** scope → key → settles when the last queued critical section has finished. */
  private readonly tails = new Map<string, Map<string, Promise<void>>>();

  /**
   * Runs `critical` after the key's earlier critical sections. With nothing queued it starts
   * synchronously, so the write lands in call order. A failure is returned, never passed on.
   */
  run<T>(scope: string, key: string, critical: () => Promise<T> | T): Promise<T> {
    let keys = this.tails.get(scope);
    if (keys === undefined) {
      keys = new Map();
      this.tails.set(scope, keys);
    }
    const previous = keys.get(key);
    const result = previous === undefined ? startNow(critical) : previous.then(critical);
    const tail = result.then(ignore, ignore);
    keys.set(key, tail);
    void tail.then(() => this.release(scope, key, tail));
    return result;
  }

  /** Number of keys with queued or running work (diagnostics and tests). */
  get size(): number {
    let count = 0;
    for (const keys of this.tails.values()) count += keys.size;
    return count;
  }

  private release(scope: string, key: string, tail: Promise<void>): void {
    const keys = this.tails.get(scope);
    if (keys === undefined || keys.get(key) !== tail) return;
    keys.delete(key);
    if (keys.size === 0) this.tails.delete(scope);
  }
}

function startNow<T>(critical: () => Promise<T> | T): Promise<T> {
  try {
    return Promise.resolve(critical());
  } catch (err) {
    return Promise.reject(err);
  }
}

function ignore(): void {
  // The tail only marks "done"; the caller observes the outcome through the returned promise.
}
