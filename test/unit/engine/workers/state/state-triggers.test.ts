import { parseTriggerConfig, targetOf } from '../../../../../src/engine/workers/state/triggers';
import { SAVE_DELAY_MS } from '../../../../../src/engine/workers/state/trigger-cursor';
import { StateHarness } from './state-harness';

describe('state trigger type (delivered from the change log)', () => {
  let h: StateHarness;

  beforeEach(async () => {
    h = await new StateHarness().start();
  });

  afterEach(() => h.close());

  it('delivers created, updated and deleted with versions and seqs, old_value null on the first write', async () => {
    const { events } = await h.react('t::fn', { scope: 's', key: 'k' });
    await h.call('state::set', { scope: 's', key: 'k', value: { v: 1 } });
    await h.call('state::set', { scope: 's', key: 'k', value: { v: 2 } });
    await h.call('state::delete', { scope: 's', key: 'k' });
    await h.settle();
    expect(events.map(({ seq: _seq, ...rest }) => rest)).toEqual([
      { type: 'state', event_type: 'state:created', scope: 's', key: 'k', version: 1, old_value: null, new_value: { v: 1 } },
      { type: 'state', event_type: 'state:updated', scope: 's', key: 'k', version: 2, old_value: { v: 1 }, new_value: { v: 2 } },
      { type: 'state', event_type: 'state:deleted', scope: 's', key: 'k', version: 3, old_value: { v: 2 }, new_value: null },
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('fires state:deleted even when the key did not exist, and a re-created key continues its versions', async () => {
    const { events } = await h.react('t::fn', {});
    await h.call('state::delete', { scope: 's', key: 'never' });
    await h.call('state::set', { scope: 's', key: 'never', value: 1 });
    await h.settle();
    expect(events.map((e) => [e.event_type, e.version, e.old_value, e.new_value])).toEqual([
      ['state:deleted', 1, null, null],
      ['state:created', 2, null, 1],
    ]);
  });

  it('fires created then updated for updates, with the update result as new_value', async () => {
    const { events } = await h.react('t::fn', { scope: 's' });
    await h.call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 2 }] });
    await h.call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 3 }] });
    await h.settle();
    expect(events.map((e) => [e.event_type, e.old_value, e.new_value])).toEqual([
      ['state:created', null, { n: 2 }],
      ['state:updated', { n: 2 }, { n: 5 }],
    ]);
  });

  it('matches on exact scope and key filters; null config and null filters match everything', async () => {
    const seen: Record<string, string[]> = {};
    const watch = async (id: string, config: unknown): Promise<void> => {
      seen[id] = [];
      h.ctx.handle(id, (data) => void seen[id]?.push(`${(data as { scope: string }).scope}/${(data as { key: string }).key}`));
      await h.ctx.addTrigger('state', `trigger-${id}`, config, id);
    };
    await watch('any', {});
    await watch('null-config', null);
    await watch('null-filters', { scope: null, key: null });
    await watch('scope-only', { scope: 's' });
    await watch('key-only', { key: 'k' });
    await watch('both', { scope: 's', key: 'k' });
    await watch('other-key', { scope: 's', key: 'x' });
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.call('state::set', { scope: 'x', key: 'k', value: 1 });
    await h.settle();
    expect(seen).toEqual({
      any: ['s/k', 'x/k'],
      'null-config': ['s/k', 'x/k'],
      'null-filters': ['s/k', 'x/k'],
      'scope-only': ['s/k'],
      'key-only': ['s/k', 'x/k'],
      both: ['s/k'],
      'other-key': [],
    });
  });

  it('skips a change when the condition function answers exactly false', async () => {
    h.ctx.handle('cond::fn', (data) => (data as { new_value: number }).new_value > 1);
    const { events } = await h.react('t::fn', { scope: 's', condition_function_id: 'cond::fn' });
    await h.call('state::set', { scope: 's', key: 'a', value: 1 });
    await h.call('state::set', { scope: 's', key: 'b', value: 2 });
    await h.settle();
    expect(events.map((e) => e.key)).toEqual(['b']);
  });

  it('passes the trigger metadata to the function', async () => {
    h.ctx.handle('t::fn', () => null);
    await h.ctx.registerTrigger({ id: 't1', trigger_type: 'state', function_id: 't::fn', config: {}, metadata: { tenant: 'acme' } });
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.settle();
    expect(h.ctx.invocationsOf('t::fn').map((i) => i.options)).toEqual([{ metadata: { tenant: 'acme' } }]);
  });

  it('replaces a binding re-registered with the same id', async () => {
    const { events } = await h.react('t::fn', { scope: 'old' }, () => null, 't1');
    await h.ctx.addTrigger('state', 't1', { scope: 'new' }, 't::fn');
    await h.call('state::set', { scope: 'old', key: 'k', value: 1 });
    await h.call('state::set', { scope: 'new', key: 'k', value: 1 });
    await h.settle();
    expect(events.map((e) => e.scope)).toEqual(['new']);
  });

  it('stops delivering after unregister, and delivers nothing for a failed write', async () => {
    const { events, record } = await h.react('t::fn', {});
    await expect(h.call('state::update', { scope: 's', key: 'k', ops: [{ type: 'nope' }] })).rejects.toThrow();
    await expect(h.call('state::set', { scope: 's', key: 'k' })).rejects.toThrow();
    await h.settle();
    await h.ctx.unregisterTrigger(record);
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.settle();
    expect(events).toEqual([]);
  });

  it('delivers nothing when triggers_enabled is false', async () => {
    await h.close();
    h = await new StateHarness('memory', { triggers_enabled: false }).start();
    const { events } = await h.react('t::fn', {});
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.settle();
    expect(events).toEqual([]);
  });

  it.each([
    ['a string', 'scope-s'],
    ['a list', ['s']],
    ['a numeric scope', { scope: 1 }],
    ['a numeric key', { key: false }],
    ['a numeric condition', { condition_function_id: 7 }],
  ])('refuses %s as config with "Failed to parse trigger config"', async (_name, config) => {
    await expect(h.ctx.addTrigger('state', 'bad', config)).rejects.toThrow(/^Failed to parse trigger config: /);
  });

  it('refuses a malformed retry option', async () => {
    await expect(h.ctx.addTrigger('state', 'bad', { scope: 's', retry: { max_attempts: 0 } })).rejects.toThrow(/max_attempts/);
  });

  it('refuses a concurrency that is not an integer >= 1', async () => {
    for (const concurrency of [0, 1.5, '4', -1]) {
      await expect(h.ctx.addTrigger('state', 'bad', { scope: 's', concurrency })).rejects.toThrow(/`concurrency` must be an integer >= 1/);
    }
  });

  it('runs a trigger on at most its own `concurrency` keys at once; a newer registration of the identity brings its own', async () => {
    const held: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const { events } = await h.react('t::wide', { scope: 's', concurrency: 2 }, async () => {
      peak = Math.max(peak, ++running);
      await new Promise<void>((resolve) => held.push(resolve));
      running--;
      return null;
    });
    const drain = async (count: number): Promise<void> => {
      while (events.length < count || held.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        held.shift()?.();
      }
      await h.settle();
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.call('state::set', { scope: 's', key: `a${i}`, value: i })));
    await drain(8);
    expect(peak).toBe(2);
    // Same function and scope, a new trigger id (a redeploy): the same cursor, now 5 wide, no replay.
    await h.ctx.addTrigger('state', 'trigger-t::wide-2', { scope: 's', concurrency: 5 }, 't::wide');
    peak = 0;
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.call('state::set', { scope: 's', key: `b${i}`, value: i })));
    await drain(16);
    expect(peak).toBe(5);
    expect(events.map((e) => e.key)).toEqual(
      expect.arrayContaining([...Array.from({ length: 8 }, (_, i) => `a${i}`), ...Array.from({ length: 8 }, (_, i) => `b${i}`)]),
    );
    expect(events).toHaveLength(16);
  });

  it('parses the filters of a config', () => {
    expect(parseTriggerConfig({ scope: 's', key: 'k', extra: 1 })).toEqual({ scope: 's', key: 'k', conditionId: undefined });
  });

  it('identifies a trigger by function id and identifying config, not by retry options or trigger id', () => {
    expect(targetOf('f', 's').identity).toBe(targetOf('f', 's').identity);
    expect(targetOf('f', 's').identity).not.toBe(targetOf('g', 's').identity);
    expect(targetOf('f', 's').identity).not.toBe(targetOf('f', 's', 'k').identity);
    expect(targetOf('f', 's').identity).not.toBe(targetOf('f', 's', undefined, 'cond').identity);
  });
});

describe.each(['memory', 'sqlite'] as const)('state trigger delivery order and retries (%s storage)', (kind) => {
  let h: StateHarness;

  beforeEach(async () => {
    h = await new StateHarness(kind, { reactions: { backoff_ms: 100, max_attempts: 3 } }).start();
  });

  afterEach(() => h.close());

  it('hands one key its versions 1..N in order, one at a time, while other keys run in parallel', async () => {
    let running = new Map<string, number>();
    let overlap = false;
    let parallelKeys = 0;
    const releases: Array<() => void> = [];
    const { events } = await h.react('t::fn', { scope: 's' }, async (event) => {
      const now = (running.get(event.key) ?? 0) + 1;
      running.set(event.key, now);
      if (now > 1) overlap = true;
      parallelKeys = Math.max(parallelKeys, running.size);
      await new Promise<void>((resolve) => releases.push(resolve));
      running.set(event.key, (running.get(event.key) ?? 1) - 1);
      if (running.get(event.key) === 0) running.delete(event.key);
      return null;
    });
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 30; i++) {
      const key = i % 2 === 0 ? 'one' : 'two';
      writes.push(
        i % 3 === 2
          ? h.call('state::set', { scope: 's', key, value: { n: 1000 + i } })
          : h.call('state::update', { scope: 's', key, ops: [{ type: 'increment', path: 'n', by: 1 }] }),
      );
    }
    await Promise.all(writes);
    // Release handlers one turn at a time until every change was handled.
    while (events.length < 30 || releases.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.splice(0).forEach((release) => release());
    }
    await h.settle();
    running = new Map();
    expect(overlap).toBe(false);
    expect(parallelKeys).toBe(2);
    for (const key of ['one', 'two']) {
      const mine = events.filter((e) => e.key === key);
      expect(mine.map((e) => e.version)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      // Each event starts where the previous one ended: no write is missed or reordered.
      for (let i = 1; i < mine.length; i++) expect(mine[i]?.old_value).toEqual(mine[i - 1]?.new_value);
      expect(mine[14]?.new_value).toEqual(await h.call('state::get', { scope: 's', key }));
    }
  });

  it('retries a failing reaction with backoff on the engine clock, then delivers the next change', async () => {
    let failures = 2;
    const { events } = await h.react('t::fn', { scope: 's' }, () => {
      if (failures-- > 0) throw new Error('flaky');
      return null;
    });
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.call('state::set', { scope: 's', key: 'k', value: 2 });
    await h.settle();
    expect(events.map((e) => e.version)).toEqual([1]);
    await h.clock.advance(99);
    await h.settle();
    expect(events.map((e) => e.version)).toEqual([1]);
    await h.clock.advance(1); // first retry after 100 ms
    await h.settle();
    expect(events.map((e) => e.version)).toEqual([1, 1]);
    await h.clock.advance(200); // second retry after 200 ms more, then the next change at once
    await h.settle();
    expect(events.map((e) => e.version)).toEqual([1, 1, 1, 2]);
    await expect(h.call('state::reactions::dead_letters', {})).resolves.toEqual({ dead_letters: [] });
  });

  it('parks a change that fails every attempt as a dead letter, moves on, and redrives it after a fix', async () => {
    let broken = true;
    const { events } = await h.react('t::fn', { scope: 's', retry: { max_attempts: 2, backoff_ms: 10 } }, (event) => {
      if (broken && event.version === 1) throw new Error('boom');
      return null;
    });
    await h.call('state::set', { scope: 's', key: 'k', value: 'first' });
    await h.call('state::set', { scope: 's', key: 'k', value: 'second' });
    await h.settle();
    await h.clock.advance(10);
    await h.settle();
    expect(events.map((e) => e.version)).toEqual([1, 1, 2]);
    const { dead_letters } = (await h.call('state::reactions::dead_letters', {})) as { dead_letters: Array<Record<string, unknown>> };
    expect(dead_letters).toEqual([
      expect.objectContaining({
        function_id: 't::fn',
        scope: 's',
        key: 'k',
        version: 1,
        attempts: 2,
        error: 'invocation_failed: boom',
        payload: expect.objectContaining({ event_type: 'state:created', new_value: 'first', version: 1 }),
      }),
    ]);
    const id = dead_letters[0]?.['id'] as number;
    await expect(h.call('state::reactions::dead_letter', { id })).resolves.toEqual(dead_letters[0]);

    await expect(h.call('state::reactions::redrive', { id })).resolves.toEqual({
      redriven: [],
      failed: [{ id, error: 'invocation_failed: boom' }],
    });
    broken = false;
    await expect(h.call('state::reactions::redrive', { function_id: 't::fn' })).resolves.toEqual({ redriven: [id], failed: [] });
    expect(events.map((e) => e.version)).toEqual([1, 1, 2, 1, 1]);
    await expect(h.call('state::reactions::dead_letters', {})).resolves.toEqual({ dead_letters: [] });
  });

  it('does not count a delivery to a worker that went away as an attempt', async () => {
    h.ctx.handle('t::fn', () => null);
    await h.ctx.addTrigger('state', 't1', { scope: 's' }, 't::fn');
    h.ctx.unhandle('t::fn');
    await h.call('state::set', { scope: 's', key: 'k', value: 1 });
    await h.settle();
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(1000);
      await h.settle();
    }
    await expect(h.call('state::reactions::dead_letters', {})).resolves.toEqual({ dead_letters: [] });
    const seen: unknown[] = [];
    h.ctx.handle('t::fn', (data) => void seen.push(data));
    await h.clock.advance(1000);
    await h.settle();
    expect(seen).toHaveLength(1);
  });

  it('resumes after a restart from the saved cursor: a new registration id with the same identity misses nothing', async () => {
    const first = await h.react('t::fn', { scope: 's' }, () => null, 'random-id-1');
    await h.call('state::set', { scope: 's', key: 'a', value: 1 });
    await h.settle();
    expect(first.events).toHaveLength(1);
    await h.restart();
    // Written while no app was connected.
    await h.call('state::set', { scope: 's', key: 'b', value: 2 });
    await h.call('state::set', { scope: 's', key: 'a', value: 3 });
    const second = await h.react('t::fn', { scope: 's' }, () => null, 'random-id-2');
    await h.settle();
    expect(second.events.map((e) => [e.key, e.version])).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    const cursors = (await h.call('state::reactions::cursors', {})) as { head: number; cursors: Array<Record<string, unknown>> };
    expect(cursors.cursors).toEqual([expect.objectContaining({ function_id: 't::fn', seq: cursors.head, lag: 0, live: true })]);
  });

  it('starts a trigger seen for the first time at the head of the log', async () => {
    await h.call('state::set', { scope: 's', key: 'old', value: 1 });
    const { events } = await h.react('t::fn', { scope: 's' });
    await h.call('state::set', { scope: 's', key: 'new', value: 1 });
    await h.settle();
    expect(events.map((e) => e.key)).toEqual(['new']);
  });
});

describe('state trigger cursor saving (sqlite)', () => {
  it('saves a delivering cursor by itself shortly after it moves (no shutdown, no ::cursors call): a crash then redelivers nothing finished', async () => {
    const h = await new StateHarness('sqlite').start();
    try {
      const first = await h.react('t::fn', { scope: 's' });
      const start = h.savedCursors()[0]?.seq;
      await h.call('state::set', { scope: 's', key: 'a', value: 1 });
      await h.settle();
      expect(first.events).toHaveLength(1);
      // The save is deferred (at most SAVE_DELAY_MS): wait for it, bounded, reading only the table.
      const deadline = Date.now() + SAVE_DELAY_MS * 20;
      while (h.savedCursors()[0]?.seq === start && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, SAVE_DELAY_MS / 4));
      }
      expect(h.savedCursors()[0]?.seq).toBe(first.events[0]?.seq);
      await h.reopenAfterCrash();
      const second = await h.react('t::fn', { scope: 's' });
      await h.call('state::set', { scope: 's', key: 'b', value: 2 });
      await h.settle();
      expect(second.events.map((e) => e.key)).toEqual(['b']);
    } finally {
      await h.close();
    }
  });
});
