/**
 * Runs tasks that share a key one after another, in the order they were queued, while tasks of
 * different keys run freely. Used to serialise read-modify-write on one stream item so two
 * concurrent updates never read the same old value, and so events leave in write order.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    // Starting from a resolved promise also turns a synchronous throw into a rejection.
    const result = (previous ?? Promise.resolve()).then(task);
    // The tail never rejects, so one failed task does not poison the next one.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Number of keys with queued or running work (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
