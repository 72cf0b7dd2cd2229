import { EngineError } from '../../../../../src/engine/core/errors';
import { setupStreamFunctions as setup } from './functions-harness';

const ref = { stream_name: 'custom', group_id: 'g', item_id: 'i' };

describe('custom stream delegation', () => {
  it('sends set to stream::set(<name>) with the typed input and emits create', async () => {
    const { ctx, events } = setup();
    const received: unknown[] = [];
    ctx.handle('stream::set(custom)', (data) => {
      received.push(data);
      return { new_value: (data as { data: unknown }).data };
    });
    const result = await ctx.call('stream::set', { ...ref, data: { v: 1 }, _caller_worker_id: 'w1' });
    expect(received).toEqual([{ ...ref, data: { v: 1 } }]);
    expect(result).toEqual({ old_value: null, new_value: { v: 1 } });
    expect(events[0]?.event).toEqual({ type: 'create', data: { v: 1 } });
    expect(await ctx.kv.scopes('stream')).toEqual([]);
  });

  it('emits update when the custom set reports an old value', async () => {
    const { ctx, events } = setup();
    ctx.handle('stream::set(custom)', () => ({ old_value: 1, new_value: 2 }));
    await expect(ctx.call('stream::set', { ...ref, data: 2 })).resolves.toEqual({ old_value: 1, new_value: 2 });
    expect(events[0]?.event.type).toBe('update');
  });

  it('fails with STREAM_SET_ERROR when the custom set returns nothing', async () => {
    const { ctx } = setup();
    ctx.handle('stream::set(custom)', () => undefined);
    await expect(ctx.call('stream::set', { ...ref, data: 1 })).rejects.toMatchObject({
      code: 'STREAM_SET_ERROR',
      message: 'Failed to set value: Function returned no result',
    });
  });

  it('fails with JSON_ERROR when the custom set result has the wrong shape', async () => {
    const { ctx, events } = setup();
    ctx.handle('stream::set(custom)', () => ({ value: 1 }));
    await expect(ctx.call('stream::set', { ...ref, data: 1 })).rejects.toMatchObject({ code: 'JSON_ERROR' });
    ctx.handle('stream::set(custom)', () => 'nope');
    await expect(ctx.call('stream::set', { ...ref, data: 1 })).rejects.toMatchObject({ code: 'JSON_ERROR' });
    expect(events).toHaveLength(0);
  });

  it('wraps a failing custom set as STREAM_SET_ERROR', async () => {
    const { ctx } = setup();
    ctx.handle('stream::set(custom)', () => {
      throw new EngineError('invocation_failed', 'boom');
    });
    await expect(ctx.call('stream::set', { ...ref, data: 1 })).rejects.toMatchObject({
      code: 'STREAM_SET_ERROR',
      message: expect.stringContaining('boom') as unknown as string,
    });
  });

  it('returns the custom get result as-is, absent staying absent', async () => {
    const { ctx } = setup();
    let value: unknown = { a: 1 };
    ctx.handle('stream::get(custom)', () => value);
    await expect(ctx.call('stream::get', ref)).resolves.toEqual({ a: 1 });
    value = undefined;
    await expect(ctx.call('stream::get', ref)).resolves.toBeUndefined();
  });

  it('passes custom get errors through unchanged', async () => {
    const { ctx } = setup();
    ctx.handle('stream::get(custom)', () => {
      throw new EngineError('invocation_failed', 'custom broke');
    });
    await expect(ctx.call('stream::get', ref)).rejects.toMatchObject({ code: 'invocation_failed', message: 'custom broke' });
  });

  it('emits delete only when the custom delete reports an old value', async () => {
    const { ctx, events } = setup();
    let old: unknown = 'x';
    ctx.handle('stream::delete(custom)', () => ({ old_value: old }));
    await expect(ctx.call('stream::delete', ref)).resolves.toEqual({ old_value: 'x' });
    old = undefined;
    await expect(ctx.call('stream::delete', ref)).resolves.toEqual({ old_value: null });
    expect(events.map((e) => e.event)).toEqual([{ type: 'delete', data: 'x' }]);
  });

  it('delegates list and list_groups with their typed inputs', async () => {
    const { ctx } = setup();
    const inputs: unknown[] = [];
    ctx.handle('stream::list(custom)', (data) => {
      inputs.push(data);
      return [1, 2];
    });
    ctx.handle('stream::list_groups(custom)', (data) => {
      inputs.push(data);
      return ['a'];
    });
    await expect(ctx.call('stream::list', { stream_name: 'custom', group_id: 'g' })).resolves.toEqual([1, 2]);
    await expect(ctx.call('stream::list_groups', { stream_name: 'custom' })).resolves.toEqual(['a']);
    expect(inputs).toEqual([{ stream_name: 'custom', group_id: 'g' }, { stream_name: 'custom' }]);
  });

  it('honours a custom update when one is registered', async () => {
    const { ctx, events } = setup();
    ctx.handle('stream::update(custom)', () => ({ old_value: { n: 1 }, new_value: { n: 2 } }));
    await expect(ctx.call('stream::update', { ...ref, ops: [{ type: 'increment', path: 'n', by: 1 }] })).resolves.toEqual({
      old_value: { n: 1 },
      new_value: { n: 2 },
    });
    expect(events[0]?.event).toEqual({ type: 'update', data: { n: 2 } });
  });

  it('leaves other streams on storage', async () => {
    const { ctx } = setup();
    ctx.handle('stream::set(custom)', () => ({ new_value: 1 }));
    await ctx.call('stream::set', { ...ref, stream_name: 'plain', data: 5 });
    await expect(ctx.call('stream::get', { ...ref, stream_name: 'plain' })).resolves.toBe(5);
  });
});
