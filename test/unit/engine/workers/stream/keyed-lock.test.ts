import { KeyedLock } from '../../../../../src/engine/workers/stream/keyed-lock';

describe('KeyedLock', () => {
  it('runs tasks of one key one after another in queue order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = lock.run('k', async () => {
      log.push('first:start');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('first:end');
    });
    const second = lock.run('k', async () => {
      log.push('second');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first:start']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
  });

  it('does not hold other keys behind a running task', async () => {
    const lock = new KeyedLock();
    let release: () => void = () => undefined;
    const blocked = lock.run('a', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(lock.run('b', async () => 'b done')).resolves.toBe('b done');
    release();
    await blocked;
  });

  it('keeps going after a failed task and forgets idle keys', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(lock.run('k', async () => 2)).resolves.toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lock.size).toBe(0);
  });
});
