import { EngineError } from '../../../../../src/engine/core/errors';
import type { EngineWorker } from '../../../../../src/engine/core/types';
import { createStateWorker } from '../../../../../src/engine/workers/state';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

describe('iii-state functions', () => {
  let ctx: FakeEngineContext;
  let worker: EngineWorker;

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    worker = createStateWorker(config);
    await worker.start(ctx);
  }

  function call(id: string, data: unknown): Promise<unknown> {
    return ctx.invoke(id, data);
  }

  async function failure(id: string, data: unknown): Promise<EngineError> {
    try {
      await call(id, data);
    } catch (err) {
      return err as EngineError;
    }
    throw new Error(`expected ${id} to fail`);
  }

  beforeEach(async () => {
    ctx = new FakeEngineContext();
    await start();
  });

  afterEach(async () => {
    await worker.stop();
    await ctx.storage.close();
  });

  it('is named iii-state and registers the six functions, the reaction admin functions and the state trigger type', () => {
    expect(worker.name).toBe('iii-state');
    expect([...ctx.functions.keys()].sort()).toEqual([
      'engine::capabilities',
      'state::delete',
      'state::get',
      'state::list',
      'state::list_groups',
      'state::reactions::cursors',
      'state::reactions::dead_letter',
      'state::reactions::dead_letters',
      'state::reactions::redrive',
      'state::set',
      'state::update',
    ]);
    expect(ctx.functions.get('state::get')?.description).toBe('Get a value from state');
    expect([...ctx.triggerTypes.keys()]).toEqual(['state']);
  });

  describe('state::set', () => {
    it('returns old_value null (present) for a new key', async () => {
      const result = await call('state::set', { scope: 's', key: 'k', value: { a: 1 } });
      expect(result).toStrictEqual({ old_value: null, new_value: { a: 1 } });
    });

    it('returns the previous value when overwriting', async () => {
      await call('state::set', { scope: 's', key: 'k', value: 1 });
      await expect(call('state::set', { scope: 's', key: 'k', value: 2 })).resolves.toEqual({ old_value: 1, new_value: 2 });
    });

    it('accepts `data` as an alias of `value`', async () => {
      await call('state::set', { scope: 's', key: 'k', data: 'via-data' });
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBe('via-data');
    });

    it('stores null as a value', async () => {
      await expect(call('state::set', { scope: 's', key: 'k', value: null })).resolves.toEqual({
        old_value: null,
        new_value: null,
      });
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBeNull();
    });

    it('ignores unknown keys such as the injected _caller_worker_id', async () => {
      await expect(call('state::set', { scope: 's', key: 'k', value: 1, _caller_worker_id: 'w' })).resolves.toEqual({
        old_value: null,
        new_value: 1,
      });
    });

    it('fails with deserialization_error when the value key is missing', async () => {
      const err = await failure('state::set', { scope: 's', key: 'k' });
      expect(err.code).toBe('deserialization_error');
      expect(err.message).toBe('Failed to deserialize input for state::set: missing field `value`');
    });

    it('rejects both value and data', async () => {
      expect((await failure('state::set', { scope: 's', key: 'k', value: 1, data: 2 })).code).toBe('deserialization_error');
    });

    it('keeps a __proto__ key and value as plain data', async () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
      await call('state::set', { scope: 's', key: '__proto__', value });
      const read = (await call('state::get', { scope: 's', key: '__proto__' })) as object;
      expect(Object.keys(read)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });

  describe.each([
    ['state::get', { key: 'k' }, 'missing field `scope`'],
    ['state::delete', { scope: 's' }, 'missing field `key`'],
    ['state::set', { scope: 1, key: 'k', value: 1 }, 'expected a string (field `scope`)'],
    ['state::update', { scope: 's', key: 'k' }, 'missing field `ops`'],
    ['state::list', {}, 'missing field `scope`'],
    ['state::get', 'not-an-object', 'expected a map'],
    ['state::list_groups', [1], 'expected a map'],
  ])('%s with bad input %j', (id, data, reason) => {
    it('fails with deserialization_error naming the function', async () => {
      const err = await failure(id, data);
      expect(err).toBeInstanceOf(EngineError);
      expect(err.code).toBe('deserialization_error');
      expect(err.message).toContain(`Failed to deserialize input for ${id}: `);
      expect(err.message).toContain(reason);
    });
  });

  describe('state::get', () => {
    it('resolves undefined (no result) for a missing key', async () => {
      await expect(call('state::get', { scope: 's', key: 'missing' })).resolves.toBeUndefined();
    });
  });

  describe('state::delete', () => {
    it('returns the bare deleted value', async () => {
      await call('state::set', { scope: 's', key: 'k', value: { v: 1 } });
      await expect(call('state::delete', { scope: 's', key: 'k' })).resolves.toEqual({ v: 1 });
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBeUndefined();
    });

    it('resolves undefined for a missing key', async () => {
      await expect(call('state::delete', { scope: 's', key: 'missing' })).resolves.toBeUndefined();
    });
  });

  describe('idempotency_key', () => {
    it('applies a keyed write once and answers a repeat with the first reply, for set, update and delete', async () => {
      const inc = { scope: 'm', key: 'n', ops: [{ type: 'increment', path: 'count', by: 1 }] };
      const first = await call('state::update', { ...inc, idempotency_key: 'reaction-1#0' });
      await expect(call('state::update', { ...inc, idempotency_key: 'reaction-1#0' })).resolves.toEqual(first);
      await call('state::update', { ...inc, idempotency_key: 'reaction-2#0' });
      await expect(call('state::get', { scope: 'm', key: 'n' })).resolves.toEqual({ count: 2 });

      await expect(call('state::set', { scope: 's', key: 'k', value: 1, idempotency_key: 'a' })).resolves.toEqual({
        old_value: null,
        new_value: 1,
      });
      await expect(call('state::set', { scope: 's', key: 'k', value: 2, idempotency_key: 'a' })).resolves.toEqual({
        old_value: null,
        new_value: 1,
      });
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBe(1);
      await expect(call('state::delete', { scope: 's', key: 'k', idempotency_key: 'd' })).resolves.toBe(1);
      await call('state::set', { scope: 's', key: 'k', value: 3 });
      await expect(call('state::delete', { scope: 's', key: 'k', idempotency_key: 'd' })).resolves.toBe(1);
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBe(3);
    });

    it.each([[''], [7], ['x'.repeat(513)]])('refuses %p as a key', async (key) => {
      await expect(call('state::set', { scope: 's', key: 'k', value: 1, idempotency_key: key })).rejects.toMatchObject({
        code: 'deserialization_error',
      });
    });
  });

  describe('state::update', () => {
    it('applies ops and returns old and new value without errors', async () => {
      await call('state::set', { scope: 's', key: 'k', value: { count: 0, name: 'initial' } });
      const result = await call('state::update', {
        scope: 's',
        key: 'k',
        ops: [{ type: 'set', path: 'count', value: 5 }],
      });
      expect(result).toStrictEqual({ old_value: { count: 0, name: 'initial' }, new_value: { count: 5, name: 'initial' } });
    });

    it('reports failed ops in errors and still writes the result', async () => {
      const result = (await call('state::update', {
        scope: 's',
        key: 'new',
        ops: [{ type: 'merge', value: 'not-an-object' }],
      })) as { old_value: unknown; new_value: unknown; errors: Array<{ code: string }> };
      expect(result.old_value).toBeNull();
      expect(result.new_value).toEqual({});
      expect(result.errors.map((e) => e.code)).toEqual(['merge.value.not_an_object']);
      await expect(call('state::get', { scope: 's', key: 'new' })).resolves.toEqual({});
    });

    it('fails the whole call with deserialization_error for a non-integer by', async () => {
      const err = await failure('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 1.5 }] });
      expect(err.code).toBe('deserialization_error');
      expect(err.message).toMatch(/^Failed to deserialize input for state::update: /);
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBeUndefined();
    });

    it('serialises concurrent updates of one key so none is lost', async () => {
      const updates = Array.from({ length: 50 }, () =>
        call('state::update', { scope: 's', key: 'counter', ops: [{ type: 'increment', path: 'n', by: 1 }] }),
      );
      const results = (await Promise.all(updates)) as Array<{ new_value: { n: number } }>;
      expect(results.map((r) => r.new_value.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      await expect(call('state::get', { scope: 's', key: 'counter' })).resolves.toEqual({ n: 50 });
    });

    it('orders a set issued between two updates of the same key', async () => {
      const first = call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: '', by: 1 }] });
      const reset = call('state::set', { scope: 's', key: 'k', value: 100 });
      const second = call('state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: '', by: 1 }] });
      await expect(Promise.all([first, reset, second])).resolves.toEqual([
        { old_value: null, new_value: 1 },
        { old_value: 1, new_value: 100 },
        { old_value: 100, new_value: 101 },
      ]);
    });
  });

  describe('state::list and state::list_groups', () => {
    it('lists the values of a scope in insertion order, [] for an unknown scope', async () => {
      await call('state::set', { scope: 's', key: 'b', value: 'first' });
      await call('state::set', { scope: 's', key: 'a', value: 'second' });
      await expect(call('state::list', { scope: 's' })).resolves.toEqual(['first', 'second']);
      await expect(call('state::list', { scope: 'unknown' })).resolves.toEqual([]);
    });

    it('returns the scopes sorted under groups', async () => {
      await call('state::set', { scope: 'zeta', key: 'k', value: 1 });
      await call('state::set', { scope: 'alpha', key: 'k', value: 1 });
      await call('state::set', { scope: 'alpha', key: 'k2', value: 1 });
      await expect(call('state::list_groups', {})).resolves.toEqual({ groups: ['alpha', 'zeta'] });
      await expect(call('state::list_groups', undefined)).resolves.toEqual({ groups: ['alpha', 'zeta'] });
    });
  });

  describe('max_value_bytes', () => {
    beforeEach(async () => {
      await worker.stop();
      await start({ max_value_bytes: 10 });
    });

    it('accepts a value of exactly the limit', async () => {
      // '"12345678"' is 10 bytes of JSON.
      await expect(call('state::set', { scope: 's', key: 'k', value: '12345678' })).resolves.toBeDefined();
    });

    it('rejects a larger value with VALUE_TOO_LARGE and stores nothing', async () => {
      const err = await failure('state::set', { scope: 's', key: 'k', value: '123456789' });
      expect(err.code).toBe('VALUE_TOO_LARGE');
      expect(err.message).toBe('value of 11 bytes exceeds the configured max_value_bytes limit of 10');
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBeUndefined();
    });

    it('counts UTF-8 bytes', async () => {
      expect((await failure('state::set', { scope: 's', key: 'k', value: 'ééééé' })).code).toBe('VALUE_TOO_LARGE');
    });

    it('also bounds the result of an update', async () => {
      await call('state::set', { scope: 's', key: 'k', value: 'abc' });
      const err = await failure('state::update', { scope: 's', key: 'k', ops: [{ type: 'append', value: 'defghijk' }] });
      expect(err.code).toBe('VALUE_TOO_LARGE');
      await expect(call('state::get', { scope: 's', key: 'k' })).resolves.toBe('abc');
    });
  });

  describe('storage failures', () => {
    it.each([
      ['state::set', { scope: 's', key: 'k', value: 1 }, 'SET_ERROR', 'Failed to set value: '],
      ['state::get', { scope: 's', key: 'k' }, 'GET_ERROR', 'Failed to get value: '],
      ['state::delete', { scope: 's', key: 'k' }, 'DELETE_ERROR', 'Failed to delete value: '],
      ['state::update', { scope: 's', key: 'k', ops: [] }, 'UPDATE_ERROR', 'Failed to update value: '],
      ['state::list', { scope: 's' }, 'LIST_ERROR', 'Failed to list values: '],
      ['state::list_groups', {}, 'LIST_GROUPS_ERROR', 'Failed to list groups: '],
    ])('%s reports %s', async (id, data, code, prefix) => {
      await ctx.storage.close();
      const err = await failure(id, data);
      expect(err.code).toBe(code);
      expect(err.message.startsWith(prefix)).toBe(true);
      expect(ctx.fired).toEqual([]);
    });
  });

  describe('config', () => {
    it.each([
      [{ max_value_bytes: 0 }],
      [{ max_value_bytes: 'big' }],
      [{ triggers_enabled: 'no' }],
      [{ save_interval_ms: 50 }],
      [{ adapter: 'kv' }],
    ])('rejects %j with config_invalid', (config) => {
      expect(() => createStateWorker(config)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    });

    it('accepts the reference adapter block and save interval', () => {
      expect(() =>
        createStateWorker({ adapter: { name: 'kv', config: { store_method: 'file_based' } }, save_interval_ms: 5000 }),
      ).not.toThrow();
    });

    it('warns that another adapter is not honoured', async () => {
      await worker.stop();
      await start({ adapter: { name: 'redis', config: { redis_url: 'redis://x' } } });
      expect(ctx.logs.some((l) => l.level === 'warn' && l.message.includes('redis'))).toBe(true);
    });
  });
});
