import { EngineError } from '../../../../../src/engine/core/errors';
import { setupStreamFunctions as setup } from './functions-harness';

const item = { stream_name: 's', group_id: 'g', item_id: 'i' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof EngineError ? err.code : `not an EngineError: ${String(err)}`;
  }
  return 'resolved';
}

describe('stream::set', () => {
  it('returns old_value null (present) for a new item', async () => {
    const { ctx } = setup();
    await expect(ctx.call('stream::set', { ...item, data: { a: 1 } })).resolves.toEqual({ old_value: null, new_value: { a: 1 } });
  });

  it('returns the previous value when overwriting', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { ...item, data: 1 });
    await expect(ctx.call('stream::set', { ...item, data: 2 })).resolves.toEqual({ old_value: 1, new_value: 2 });
  });

  it('emits create for a new item and update for an existing one', async () => {
    const { ctx, events } = setup();
    await ctx.call('stream::set', { ...item, data: 1 });
    await ctx.call('stream::set', { ...item, data: 2 });
    expect(events.map((e) => e.event)).toEqual([
      { type: 'create', data: 1 },
      { type: 'update', data: 2 },
    ]);
    expect(events[0]).toMatchObject({ type: 'stream', streamName: 's', groupId: 'g', id: 'i' });
    expect(typeof events[0]?.timestamp).toBe('number');
  });

  it('stores under namespace stream with the stream:group scope', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { ...item, data: 'v' });
    expect(await ctx.kv.get('stream', 's:g', 'i')).toBe('v');
  });

  it('accepts null data but refuses a missing data field', async () => {
    const { ctx } = setup();
    await expect(ctx.call('stream::set', { ...item, data: null })).resolves.toEqual({ old_value: null, new_value: null });
    expect(await codeOf(ctx.call('stream::set', item))).toBe('deserialization_error');
  });

  it('names the function and the field in a deserialization error', async () => {
    const { ctx } = setup();
    await expect(ctx.call('stream::set', { stream_name: 's', group_id: 7, item_id: 'i', data: 1 })).rejects.toThrow(
      /^Failed to deserialize input for stream::set: .*`group_id`/,
    );
  });

  it('reports an adapter failure as STREAM_SET_ERROR', async () => {
    const { ctx, events } = setup();
    ctx.kv.failWith = new Error('disk full');
    await expect(ctx.call('stream::set', { ...item, data: 1 })).rejects.toMatchObject({
      code: 'STREAM_SET_ERROR',
      message: 'Failed to set value: disk full',
    });
    expect(events).toHaveLength(0);
  });

  it('keeps a __proto__ key as plain data', async () => {
    const { ctx } = setup();
    const data = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as unknown;
    await ctx.call('stream::set', { ...item, data });
    const stored = (await ctx.call('stream::get', item)) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(stored, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('stream::get', () => {
  it('resolves undefined (no result) for a missing item', async () => {
    const { ctx } = setup();
    await expect(ctx.call('stream::get', item)).resolves.toBeUndefined();
  });

  it('returns the stored value', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { ...item, data: { n: 1 } });
    await expect(ctx.call('stream::get', item)).resolves.toEqual({ n: 1 });
  });

  it('rejects a non-object payload with deserialization_error', async () => {
    const { ctx } = setup();
    expect(await codeOf(ctx.call('stream::get', 'nope'))).toBe('deserialization_error');
    expect(await codeOf(ctx.call('stream::get', [1]))).toBe('deserialization_error');
    expect(await codeOf(ctx.call('stream::get', null))).toBe('deserialization_error');
  });
});

describe('stream::delete', () => {
  it('returns {old_value} with the deleted value and emits delete', async () => {
    const { ctx, events } = setup();
    await ctx.call('stream::set', { ...item, data: 'x' });
    await expect(ctx.call('stream::delete', item)).resolves.toEqual({ old_value: 'x' });
    expect(events[1]).toMatchObject({ id: 'i', event: { type: 'delete', data: 'x' } });
  });

  it('returns {old_value: null} and emits nothing for a missing item', async () => {
    const { ctx, events } = setup();
    await expect(ctx.call('stream::delete', item)).resolves.toEqual({ old_value: null });
    expect(events).toHaveLength(0);
  });
});

describe('stream::list and list_groups and list_all', () => {
  it('lists the values of a group in insertion order, [] when empty', async () => {
    const { ctx } = setup();
    await expect(ctx.call('stream::list', { stream_name: 's', group_id: 'g' })).resolves.toEqual([]);
    await ctx.call('stream::set', { ...item, item_id: 'b', data: 2 });
    await ctx.call('stream::set', { ...item, item_id: 'a', data: 1 });
    await expect(ctx.call('stream::list', { stream_name: 's', group_id: 'g' })).resolves.toEqual([2, 1]);
  });

  it('list_groups returns a bare array of the stream groups only', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { ...item, group_id: 'g1', data: 1 });
    await ctx.call('stream::set', { ...item, group_id: 'g2', data: 1 });
    await ctx.call('stream::set', { ...item, stream_name: 'other', group_id: 'g3', data: 1 });
    const groups = await ctx.call('stream::list_groups', { stream_name: 's' });
    expect(Array.isArray(groups)).toBe(true);
    expect([...(groups as string[])].sort()).toEqual(['g1', 'g2']);
  });

  it('list_all returns sorted streams with sorted groups and a count', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { stream_name: 'b', group_id: 'y', item_id: 'i', data: 1 });
    await ctx.call('stream::set', { stream_name: 'b', group_id: 'x', item_id: 'i', data: 1 });
    await ctx.call('stream::set', { stream_name: 'a', group_id: 'z', item_id: 'i', data: 1 });
    await expect(ctx.call('stream::list_all', {})).resolves.toEqual({
      stream: [
        { id: 'a', groups: ['z'] },
        { id: 'b', groups: ['x', 'y'] },
      ],
      count: 2,
    });
  });

  it('keeps streams whose names contain a colon apart', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { stream_name: 'a:b', group_id: 'c', item_id: 'i', data: 1 });
    await ctx.call('stream::set', { stream_name: 'a', group_id: 'b:c', item_id: 'i', data: 2 });
    await expect(ctx.call('stream::list', { stream_name: 'a:b', group_id: 'c' })).resolves.toEqual([1]);
    await expect(ctx.call('stream::list', { stream_name: 'a', group_id: 'b:c' })).resolves.toEqual([2]);
    await expect(ctx.call('stream::list_groups', { stream_name: 'a' })).resolves.toEqual(['b:c']);
  });
});

describe('stream::update', () => {
  it('applies ops and returns old and new value without errors', async () => {
    const { ctx, events } = setup();
    await ctx.call('stream::set', { ...item, data: { count: 0, name: 'initial' } });
    const result = await ctx.call('stream::update', { ...item, ops: [{ type: 'set', path: 'count', value: 5 }] });
    expect(result).toEqual({ old_value: { count: 0, name: 'initial' }, new_value: { count: 5, name: 'initial' } });
    expect(events[1]?.event).toEqual({ type: 'update', data: { count: 5, name: 'initial' } });
  });

  it('creates a missing item (old_value null, create event)', async () => {
    const { ctx, events } = setup();
    const result = await ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 2 }] });
    expect(result).toEqual({ old_value: null, new_value: { n: 2 } });
    expect(events[0]?.event).toEqual({ type: 'create', data: { n: 2 } });
  });

  it('reports failing ops in errors and still writes', async () => {
    const { ctx } = setup();
    await ctx.call('stream::set', { ...item, data: 'text' });
    const result = (await ctx.call('stream::update', {
      ...item,
      ops: [{ type: 'set', path: 'a', value: 1 }],
    })) as { errors?: Array<{ code: string; op_index: number }> };
    expect(result.errors?.[0]).toMatchObject({ op_index: 0, code: 'set.target_not_object' });
  });

  it('fails the whole call with deserialization_error for a malformed op', async () => {
    const { ctx } = setup();
    expect(await codeOf(ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 1.5 }] }))).toBe(
      'deserialization_error',
    );
    expect(await codeOf(ctx.call('stream::update', { ...item, ops: 'x' }))).toBe('deserialization_error');
    await expect(ctx.call('stream::get', item)).resolves.toBeUndefined();
  });

  it('serialises concurrent updates of one item (no lost increments)', async () => {
    const { ctx, events } = setup();
    const calls = Array.from({ length: 50 }, () => ctx.call('stream::update', { ...item, ops: [{ type: 'increment', path: 'n', by: 1 }] }));
    await Promise.all(calls);
    await expect(ctx.call('stream::get', item)).resolves.toEqual({ n: 50 });
    expect(events.map((e) => (e.event as unknown as { data: { n: number } }).data.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('stream::send', () => {
  it('returns null and emits an event without storing anything', async () => {
    const { ctx, events } = setup();
    await expect(ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 'ping', data: { x: 1 } })).resolves.toBeNull();
    expect(events).toEqual([
      expect.objectContaining({
        streamName: 's',
        groupId: 'g',
        id: null,
        event: { type: 'event', event: { type: 'ping', data: { x: 1 } } },
      }),
    ]);
    expect(await ctx.kv.scopes('stream')).toEqual([]);
  });

  it('carries the target id when given', async () => {
    const { ctx, events } = setup();
    await ctx.call('stream::send', { stream_name: 's', group_id: 'g', id: 'i', type: 't', data: null });
    expect(events[0]?.id).toBe('i');
  });

  it('requires type to be a string', async () => {
    const { ctx } = setup();
    expect(await codeOf(ctx.call('stream::send', { stream_name: 's', group_id: 'g', type: 1, data: null }))).toBe('deserialization_error');
  });
});
