import { EngineError } from '../../../../../src/engine/core/errors';
import { BridgeStateFunctions } from '../../../../../src/engine/workers/state/bridged-functions';
import { StateTriggers } from '../../../../../src/engine/workers/state/triggers';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

type Answer = (id: string, payload: unknown) => unknown;

function setup(answer: Answer, triggersEnabled = true) {
  const context = new FakeEngineContext();
  const triggers = new StateTriggers();
  triggers.register({ id: 't1', trigger_type: 'state', function_id: 'fn', config: { scope: 's', key: 'k' } });
  const calls: Array<{ id: string; payload: unknown }> = [];
  const client = {
    call: async (id: string, payload: unknown) => {
      calls.push({ id, payload });
      return answer(id, payload);
    },
  };
  const functions = new BridgeStateFunctions({ context, client, triggers, triggersEnabled });
  return { context, calls, functions };
}

describe('BridgeStateFunctions', () => {
  it('forwards each state function to the same id on the remote, without the local caller id', async () => {
    const { calls, functions } = setup(() => undefined);
    await functions.get({ scope: 's', key: 'k', _caller_worker_id: 'w1' });
    await functions.list({ scope: 's' });
    await functions.listGroups(undefined);
    expect(calls).toEqual([
      { id: 'state::get', payload: { scope: 's', key: 'k' } },
      { id: 'state::list', payload: { scope: 's' } },
      { id: 'state::list_groups', payload: {} },
    ]);
  });

  it('returns the remote answer unchanged', async () => {
    const { functions } = setup((id) => (id === 'state::list' ? [{ a: 1 }] : undefined));
    await expect(functions.list({ scope: 's' })).resolves.toEqual([{ a: 1 }]);
    await expect(functions.get({ scope: 's', key: 'missing' })).resolves.toBeUndefined();
  });

  it('fires state:created, then state:updated, from the remote set answers', async () => {
    let old: unknown = null;
    const { context, functions } = setup((_id, payload) => {
      const result = { old_value: old, new_value: (payload as { value: unknown }).value };
      old = result.new_value;
      return result;
    });
    await functions.set({ scope: 's', key: 'k', value: 1 });
    await functions.set({ scope: 's', key: 'k', value: 2 });
    expect(context.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:created', scope: 's', key: 'k', old_value: null, new_value: 1 },
      { type: 'state', event_type: 'state:updated', scope: 's', key: 'k', old_value: 1, new_value: 2 },
    ]);
    expect(context.fired[0]?.triggerIds).toEqual(['t1']);
  });

  it('fires state:deleted with the bare deleted value, and with null when nothing was there', async () => {
    const answers = [{ v: 1 }, undefined];
    const { context, functions } = setup(() => answers.shift());
    await functions.delete({ scope: 's', key: 'k' });
    await functions.delete({ scope: 's', key: 'k' });
    expect(context.fired.map((f) => f.payload)).toEqual([
      { type: 'state', event_type: 'state:deleted', scope: 's', key: 'k', old_value: { v: 1 }, new_value: null },
      { type: 'state', event_type: 'state:deleted', scope: 's', key: 'k', old_value: null, new_value: null },
    ]);
  });

  it('fires for update answers and only for matching triggers', async () => {
    const { context, functions } = setup(() => ({ old_value: { n: 1 }, new_value: { n: 2 } }));
    await functions.update({ scope: 's', key: 'k', ops: [] });
    await functions.update({ scope: 'other', key: 'k', ops: [] });
    expect(context.fired).toHaveLength(1);
    expect(context.fired[0]?.payload).toMatchObject({ event_type: 'state:updated', new_value: { n: 2 } });
  });

  it('fires nothing when the remote call fails, and passes the error on', async () => {
    const { context, functions } = setup(() => {
      throw new EngineError('SET_ERROR', 'disk full');
    });
    await expect(functions.set({ scope: 's', key: 'k', value: 1 })).rejects.toMatchObject({ code: 'SET_ERROR', message: 'disk full' });
    expect(context.fired).toHaveLength(0);
  });

  it('fires nothing when triggers are disabled', async () => {
    const { context, functions } = setup(() => ({ old_value: null, new_value: 1 }), false);
    await functions.set({ scope: 's', key: 'k', value: 1 });
    expect(context.fired).toHaveLength(0);
  });
});
