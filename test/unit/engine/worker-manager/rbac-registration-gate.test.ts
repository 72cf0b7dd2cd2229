import type { EngineCore } from '../../../../src/engine/core/engine-core';
import { OPEN_SESSION, parseRbacConfig, type Session } from '../../../../src/engine/worker-manager/rbac';
import { gateFunction, gateTrigger, gateTriggerType, type GateScope } from '../../../../src/engine/worker-manager/registration-gate';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const HOOKS = parseRbacConfig(
  {
    on_function_registration_function_id: 'fn-hook',
    on_trigger_registration_function_id: 'trig-hook',
    on_trigger_type_registration_function_id: 'tt-hook',
  },
  quiet,
);

function scope(answer: (id: string, data: Record<string, unknown>) => unknown, session: Partial<Session> = {}, rbac = HOOKS) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const core = {
    logger: quiet,
    invoke: async (id: string, data: Record<string, unknown>) => {
      calls.push([id, data]);
      return answer(id, data);
    },
  } as unknown as EngineCore;
  const gate: GateScope = { core, rbac, session: { ...OPEN_SESSION, context: { user: 'u' }, ...session }, workerId: 'w' };
  return { gate, calls };
}

describe('gateFunction', () => {
  it('passes the un-prefixed registration and context to the hook, then applies the prefix', async () => {
    const { gate, calls } = scope(() => ({}), { functionRegistrationPrefix: 'p' });
    await expect(gateFunction(gate, { id: 'echo', metadata: { a: 1 } })).resolves.toEqual({ id: 'p::echo', metadata: { a: 1 } });
    expect(calls).toEqual([['fn-hook', { function_id: 'echo', description: null, metadata: { a: 1 }, context: { user: 'u' } }]]);
  });

  it('takes the id, description and metadata the hook returns', async () => {
    const { gate } = scope(() => ({ function_id: 'renamed', description: 'd', metadata: { b: 2 } }));
    await expect(gateFunction(gate, { id: 'echo', description: 'x' })).resolves.toEqual({
      id: 'renamed',
      description: 'd',
      metadata: { b: 2 },
    });
  });

  it.each([
    ['throws', () => Promise.reject(new Error('no'))],
    ['answers null', () => null],
    ['answers a non-object', () => 'ok'],
  ])('denies when the hook %s', async (_name, answer) => {
    const { gate } = scope(answer);
    await expect(gateFunction(gate, { id: 'echo' })).resolves.toBeNull();
  });

  it('denies without calling the hook when the session may not register functions', async () => {
    const { gate, calls } = scope(() => ({}), { allowFunctionRegistration: false });
    await expect(gateFunction(gate, { id: 'echo' })).resolves.toBeNull();
    expect(calls).toEqual([]);
  });

  it('prefixes without a hook configured', async () => {
    const { gate } = scope(() => ({}), { functionRegistrationPrefix: 'p' }, parseRbacConfig({}, quiet));
    await expect(gateFunction(gate, { id: 'echo' })).resolves.toEqual({ id: 'p::echo' });
  });
});

describe('gateTriggerType', () => {
  it('requires allow_trigger_type_registration', async () => {
    const { gate, calls } = scope(() => ({}), { allowTriggerTypeRegistration: false });
    await expect(gateTriggerType(gate, { id: 'tt', description: 'd' })).resolves.toBeNull();
    expect(calls).toEqual([]);
  });

  it('sends {trigger_type_id, description, context} and applies overrides', async () => {
    const { gate, calls } = scope(() => ({ trigger_type_id: 'tt2' }));
    await expect(gateTriggerType(gate, { id: 'tt', description: 'd' })).resolves.toEqual({ id: 'tt2', description: 'd' });
    expect(calls[0]).toEqual(['tt-hook', { trigger_type_id: 'tt', description: 'd', context: { user: 'u' } }]);
  });
});

describe('gateTrigger', () => {
  const request = { id: 't1', trigger_type: 'cron', function_id: 'fn', config: { expression: '* * * * * *' } };

  it('refuses trigger types outside allowed_trigger_types before the hook', async () => {
    const { gate, calls } = scope(() => ({}), { allowedTriggerTypes: ['http'] });
    await expect(gateTrigger(gate, request)).resolves.toBeNull();
    expect(calls).toEqual([]);
  });

  it('lets the hook rewrite the binding and prefixes its function id', async () => {
    const { gate, calls } = scope(() => ({ trigger_id: 't2', config: { expression: 'x' } }), { functionRegistrationPrefix: 'p' });
    await expect(gateTrigger(gate, request)).resolves.toEqual({ ...request, id: 't2', function_id: 'p::fn', config: { expression: 'x' } });
    expect(calls[0]?.[1]).toEqual({
      trigger_id: 't1',
      trigger_type: 'cron',
      function_id: 'fn',
      config: request.config,
      metadata: null,
      context: { user: 'u' },
    });
  });

  it('denies when the hook throws', async () => {
    const { gate } = scope(() => {
      throw new Error('denied');
    });
    await expect(gateTrigger(gate, request)).resolves.toBeNull();
  });
});
