/**
 * State reactions on the embedded engine, driven without sleeps: `settle()` and the fake clock.
 * Order per key, retries with backoff, dead letters and redrive through `ReactionsService`, and
 * idempotent effects (a retried reaction's state writes apply once).
 */
import {
  Controller,
  EngineCapabilities,
  Event,
  Module,
  OnStateChange,
  ReactionsService,
  StateService,
  createTestApp,
  type StateChangeEvent,
  type TestApp,
} from '../../../src/framework';
import { itEmbeddedOnly } from '../../support/semantics';
import { waitFor } from '../../support/wait';
import { connectWorker } from '../support/engine';

const seen: Array<{ key: string; version: number | undefined; value: unknown }> = [];
const flaky = { failuresLeft: 0, attempts: 0 };
const broken = { on: true, attempts: 0 };
/** The `wide` reaction's calls in flight, its peak, and the resolvers that let them finish. */
const wide = { running: 0, peak: 0, done: 0, held: [] as Array<() => void> };

@Controller('reactions')
class ReactionsController {
  constructor(private readonly state: StateService) {}

  @OnStateChange('ordered')
  ordered(@Event() e: StateChangeEvent<number>) {
    seen.push({ key: e.key, version: e.version, value: e.new_value });
  }

  /** Counts each change once, even though its first attempt fails after writing. */
  @OnStateChange('flaky', { retry: { maxAttempts: 3, backoffMs: 50 } })
  async count(@Event() e: StateChangeEvent<number>) {
    flaky.attempts++;
    await this.state.scope<Record<string, number>>('counts').update('flaky', [{ type: 'increment', path: 'n', by: 1 }]);
    if (flaky.failuresLeft > 0) {
      flaky.failuresLeft--;
      throw new Error(`not yet (${e.key})`);
    }
  }

  /** Each call waits until the test lets it go, so the engine's parallelism shows. */
  @OnStateChange('wide', { concurrency: 3 })
  async held(@Event() _e: StateChangeEvent<number>) {
    wide.running++;
    wide.peak = Math.max(wide.peak, wide.running);
    await new Promise<void>((resolve) => wide.held.push(resolve));
    wide.running--;
    wide.done++;
  }

  @OnStateChange('broken', { retry: { maxAttempts: 2, backoffMs: 10 } })
  async alwaysFails(@Event() e: StateChangeEvent<string>) {
    broken.attempts++;
    if (broken.on) throw new Error(`cannot handle ${e.key}`);
    await this.state.scope<string>('fixed').set(e.key, e.new_value ?? '');
  }
}

@Module({ controllers: [ReactionsController] })
class ReactionsModule {}

describe('state reactions (embedded engine, settle() and the fake clock)', () => {
  let t: TestApp;
  let state: StateService;

  beforeAll(async () => {
    t = await createTestApp(ReactionsModule);
    state = t.app.get(StateService);
  });
  afterAll(() => t.close());

  itEmbeddedOnly('engine-extensions', 'detects the engine capabilities that make reactions idempotent', () => {
    expect(t.app.get(EngineCapabilities)).toMatchObject({ idempotentStateWrites: true, stateChangeLog: true, reactionDeadLetters: true });
  });

  itEmbeddedOnly(
    'ordered-dispatch',
    'hands interleaved writes to one key from many clients to the reaction as versions 1..N, in order, none twice',
    async () => {
      const clients = Array.from({ length: 4 }, () => connectWorker(t.urls.worker));
      try {
        const writes: Array<Promise<unknown>> = [];
        for (let i = 0; i < 60; i++) {
          const client = clients[i % clients.length];
          writes.push(client!.trigger({ function_id: 'state::set', payload: { scope: 'ordered', key: 'one', value: i } }));
        }
        await Promise.all(writes);
        await t.settle();
      } finally {
        await Promise.all(clients.map((c) => c.shutdown()));
      }
      const mine = seen.filter((s) => s.key === 'one');
      expect(mine.map((s) => s.version)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(mine.at(-1)?.value).toEqual(await state.scope('ordered').get('one'));
    },
  );

  itEmbeddedOnly(
    'ordered-dispatch',
    'runs a reaction on at most its own `concurrency` keys at once (3 here, the default is 16)',
    async () => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => state.scope<number>('wide').set(`k${i}`, i)));
      await waitFor(() => wide.held.length >= 3);
      // Let one call finish at a time: the engine starts the next key only when a slot is free.
      while (wide.done < 10) {
        await waitFor(() => wide.held.length > 0 || wide.done === 10);
        wide.held.shift()?.();
      }
      await t.settle();
      expect(wide.peak).toBe(3);
    },
  );

  itEmbeddedOnly('change-log', 'retries a reaction that fails twice, on the fake clock, and its writes count once', async () => {
    flaky.failuresLeft = 2;
    await state.scope<number>('flaky').set('a', 1);
    await t.settle();
    expect(flaky.attempts).toBe(1);
    await t.clock.tick(50);
    expect(flaky.attempts).toBe(2);
    await t.clock.tick(100);
    expect(flaky.attempts).toBe(3);
    // Three attempts each ran `increment`; the engine applied it once.
    expect(await state.scope('counts').get('flaky')).toEqual({ n: 1 });
    await state.scope<number>('flaky').set('b', 1);
    await t.settle();
    expect(await state.scope('counts').get('flaky')).toEqual({ n: 2 });
  });

  itEmbeddedOnly('change-log', 'parks a reaction that always fails as a dead letter, and redrives it after the fix', async () => {
    const reactions = t.app.get(ReactionsService);
    await state.scope<string>('broken').set('k', 'payload');
    await t.settle();
    await t.clock.tick(10);
    expect(broken.attempts).toBe(2);
    const [letter, ...others] = await reactions.deadLetters({ functionId: 'reactions::always-fails' });
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      function_id: 'reactions::always-fails',
      scope: 'broken',
      key: 'k',
      version: 1,
      attempts: 2,
      error: expect.stringContaining('cannot handle k'),
      payload: expect.objectContaining({ event_type: 'state:created', new_value: 'payload' }),
    });
    await expect(reactions.deadLetter(letter!.id)).resolves.toEqual(letter);

    broken.on = false;
    await expect(reactions.redrive({ id: letter!.id })).resolves.toEqual({ redriven: [letter!.id], failed: [] });
    expect(await state.scope('fixed').get('k')).toBe('payload');
    await expect(reactions.deadLetters()).resolves.toEqual([]);
    const { cursors } = await reactions.cursors();
    expect(cursors.filter((c) => c.function_id.startsWith('reactions::')).every((c) => c.lag === 0 && c.live)).toBe(true);
  });
});
