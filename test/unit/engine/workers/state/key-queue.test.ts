import { KeyQueue } from '../../../../../src/engine/workers/state/key-queue';

describe('KeyQueue', () => {
  it('starts a critical section synchronously when the key is idle', () => {
    const queue = new KeyQueue();
    let ran = false;
    void queue.run('s', 'k', () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('runs the sections of one key one after another, in call order', async () => {
    const queue = new KeyQueue();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = queue.run('s', 'k', async () => {
      log.push('first:start');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('first:end');
    });
    const second = queue.run('s', 'k', () => void log.push('second'));
    expect(log).toEqual(['first:start']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
  });

  it('does not make other keys wait', async () => {
    const queue = new KeyQueue();
    const blocked = queue.run('s', 'a', () => new Promise<void>(() => undefined));
    let otherRan = false;
    await queue.run('s', 'b', () => {
      otherRan = true;
    });
    await queue.run('t', 'a', () => undefined);
    expect(otherRan).toBe(true);
    void blocked;
  });

  it('keeps going after a failed section and reports the failure to its caller only', async () => {
    const queue = new KeyQueue();
    const failed = queue.run('s', 'k', () => {
      throw new Error('boom');
    });
    const next = queue.run('s', 'k', () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });

  it('forgets a key once its work is done', async () => {
    const queue = new KeyQueue();
    await queue.run('s', 'k', () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(0);
  });
});
