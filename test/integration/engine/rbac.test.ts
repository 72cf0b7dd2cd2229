/**
 * engine.md §13: a second worker-manager listener with an `rbac` block and a middleware, configured
 * like the SDK fixture, driven by real iii-sdk workers that authenticate with upgrade headers.
 */
import { InvocationError, type IIIClient } from 'iii-sdk';
import WebSocket from 'ws';
import { TestHarness, connectWorker, listFunctionIds, rejectionOf, waitFor, waitForFunctions } from '../support/engine';

type Json = Record<string, unknown>;

const RBAC_LISTENER = {
  name: 'iii-worker-manager',
  config: {
    middleware_function_id: 'test::rbac::middleware',
    rbac: {
      auth_function_id: 'test::rbac::auth',
      on_function_registration_function_id: 'test::rbac::on-function-reg',
      on_trigger_registration_function_id: 'test::rbac::on-trigger-reg',
      on_trigger_type_registration_function_id: 'test::rbac::on-trigger-type-reg',
      expose_functions: ['match("test::ew::public::*")', 'match("engine::functions::*")', { metadata: { ew_public: true } }],
    },
  },
};

const SESSIONS: Record<string, Json> = {
  'valid-token': {
    allowed_functions: ['test::ew::valid-token-echo'],
    allow_trigger_type_registration: true,
    context: { role: 'admin', user_id: 'user-1' },
  },
  'restricted-token': {
    forbidden_functions: ['test::ew::public::echo'],
    context: { role: 'restricted', user_id: 'user-2' },
  },
  'prefix-token': {
    allow_trigger_type_registration: true,
    context: { user_id: 'user-prefix' },
    function_registration_prefix: 'test-prefix',
  },
  'no-registration-token': { allow_function_registration: false, context: {} },
};

let h: TestHarness;
let main: IIIClient;
let rbacUrl: string;
const authCalls: Json[] = [];
const hookCalls: Record<'function' | 'triggerType' | 'trigger', Json[]> = { function: [], triggerType: [], trigger: [] };
const boundTriggers: Json[] = [];
const middlewareCalls: Json[] = [];
const clients: IIIClient[] = [];

function rbacWorker(token: string): IIIClient {
  const client = connectWorker(rbacUrl, { headers: { 'x-test-token': token } });
  clients.push(client);
  return client;
}

const listIds = listFunctionIds;
const rejection = rejectionOf;

/** A raw socket to the RBAC listener; resolves every text frame received until the close. */
function rawSession(path: string, token: string): Promise<{ frames: Json[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${rbacUrl}${path}`, { headers: { 'x-test-token': token } });
    const frames: Json[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Json));
    socket.on('close', () => resolve({ frames, closed: true }));
    socket.on('error', reject);
  });
}

/** An authenticated raw socket to the RBAC listener that collects frames until `result` finds one. */
async function rawClient(
  token: string,
): Promise<{ send: (frame: Json) => void; result: (functionId: string) => Promise<Json>; close: () => void }> {
  const socket = new WebSocket(rbacUrl, { headers: { 'x-test-token': token } });
  const frames: Json[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Json));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (frame) => socket.send(JSON.stringify(frame)),
    result: (functionId) => waitFor(() => frames.find((f) => f.type === 'invocationresult' && f.function_id === functionId)),
    close: () => socket.close(),
  };
}

beforeAll(async () => {
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  h = await TestHarness.start({ config: { workers: [{ name: 'iii-worker-manager', config: {} }, RBAC_LISTENER] } });
  rbacUrl = h.urls.workers[1] as string;
  main = h.worker('rbac-main');
  main.registerFunction('test::rbac::auth', async (input: Json) => {
    authCalls.push(input);
    const token = (input.headers as Record<string, string>)['x-test-token'];
    const session = SESSIONS[token];
    if (session === undefined) throw new Error('invalid token');
    return session;
  });
  main.registerFunction('test::rbac::middleware', async (input: Json) => {
    middlewareCalls.push(input);
    const context = input.context as Json;
    const payload = { ...(input.payload as Json), _intercepted: true, _caller: context.user_id };
    return main.trigger({ function_id: String(input.function_id), payload });
  });
  main.registerFunction('test::rbac::on-function-reg', async (input: Json) => {
    hookCalls.function.push(input);
    if (String(input.function_id).startsWith('denied::')) throw new Error('denied function registration');
    return String(input.function_id).startsWith('renamed::') ? { function_id: 'test::ew::public::renamed' } : {};
  });
  main.registerFunction('test::rbac::on-trigger-type-reg', async (input: Json) => {
    hookCalls.triggerType.push(input);
    if (String(input.trigger_type_id).startsWith('denied-tt::')) throw new Error('denied trigger type registration');
    return {};
  });
  main.registerFunction('test::rbac::on-trigger-reg', async (input: Json) => {
    hookCalls.trigger.push(input);
    if (String(input.function_id).startsWith('denied-trig::')) throw new Error('denied trigger registration');
    return {};
  });
  main.registerTriggerType(
    { id: 'test-rbac-trigger', description: 'RBAC test trigger type' },
    {
      registerTrigger: async (config) => {
        boundTriggers.push(config as unknown as Json);
      },
      unregisterTrigger: async () => undefined,
    },
  );
  main.registerFunction('test::ew::public::echo', async (data: Json) => ({ echoed: data }));
  main.registerFunction('test::ew::valid-token-echo', async (data: Json) => ({ echoed: data, valid_token: true }));
  main.registerFunction('test::ew::meta-public', async (data: Json) => ({ meta_echoed: data }), { metadata: { ew_public: true } });
  main.registerFunction('test::ew::private', async () => ({ private: true }));
  await waitForFunctions(main, ['test::rbac::auth', 'test::rbac::middleware', 'test::ew::private', 'test::rbac::on-trigger-reg']);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.shutdown()));
  authCalls.length = 0;
  hookCalls.function.length = 0;
  hookCalls.triggerType.length = 0;
  hookCalls.trigger.length = 0;
  boundTriggers.length = 0;
  middlewareCalls.length = 0;
});

afterAll(async () => {
  await h.close();
  jest.restoreAllMocks();
});

describe('engine.md §13.1 authentication', () => {
  it('calls the auth function once per connection with the upgrade headers, query and ip', async () => {
    const client = rbacWorker('valid-token');
    await client.trigger({ function_id: 'test::ew::valid-token-echo', payload: {} });
    expect(authCalls).toHaveLength(1);
    expect(authCalls[0]).toEqual({
      headers: expect.objectContaining({ 'x-test-token': 'valid-token' }),
      query_params: {},
      ip_address: '127.0.0.1',
    });
  });

  it('refuses a connection the auth function rejects with an AUTH_ERROR frame and a close', async () => {
    const session = await rawSession('/', 'bogus');
    expect(session.frames).toEqual([{ type: 'error', error: { code: 'AUTH_ERROR', message: 'invalid token' } }]);
  });

  it('authenticates /otel connections too', async () => {
    const session = await rawSession('/otel', 'bogus');
    expect(session.frames).toEqual([{ type: 'error', error: { code: 'AUTH_ERROR', message: 'invalid token' } }]);
    expect(authCalls).toHaveLength(1);
  });
});

describe('engine.md §13.2 invocation checks', () => {
  it('denies a function nothing exposes with FORBIDDEN naming expose_functions', async () => {
    const client = rbacWorker('valid-token');
    const error = await rejection(client.trigger({ function_id: 'test::ew::private', payload: {} }));
    expect(error).toBeInstanceOf(InvocationError);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.function_id).toBe('test::ew::private');
    expect(error.message).toBe("FORBIDDEN: function 'test::ew::private' not allowed (add to rbac.expose_functions)");
  });

  it('lets forbidden_functions win over an expose filter', async () => {
    const client = rbacWorker('restricted-token');
    const error = await rejection(client.trigger({ function_id: 'test::ew::public::echo', payload: {} }));
    expect(error.message).toBe("FORBIDDEN: function 'test::ew::public::echo' not allowed (remove from rbac.forbidden_functions)");
  });

  it('allows functions exposed by a metadata filter', async () => {
    const client = rbacWorker('restricted-token');
    const result = await client.trigger<Json, Json>({ function_id: 'test::ew::meta-public', payload: { n: 1 } });
    expect(result.meta_echoed).toMatchObject({ n: 1, _caller: 'user-2' });
  });

  it('allows the infrastructure functions without any grant', async () => {
    const client = rbacWorker('restricted-token');
    await expect(client.trigger({ function_id: 'engine::log::info', payload: { message: 'carve-out' } })).resolves.toBeUndefined();
  });

  it('leaves the listener without rbac unrestricted', async () => {
    await expect(main.trigger({ function_id: 'test::ew::private', payload: {} })).resolves.toEqual({ private: true });
  });

  it('lists only the functions the session may call', async () => {
    const ids = await listIds(rbacWorker('valid-token'));
    expect(ids).toEqual(expect.arrayContaining(['test::ew::valid-token-echo', 'test::ew::public::echo', 'test::ew::meta-public']));
    expect(ids).not.toContain('test::ew::private');
    expect(ids).not.toContain('test::rbac::auth');
    const restricted = await listIds(rbacWorker('restricted-token'));
    expect(restricted).toContain('test::ew::meta-public');
    expect(restricted).not.toContain('test::ew::public::echo');
    expect(restricted).not.toContain('test::ew::valid-token-echo');
  });

  it('answers engine::functions::info for a hidden function with FORBIDDEN', async () => {
    const client = rbacWorker('valid-token');
    const error = await rejection(
      client.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'test::ew::private' } }),
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain("Function 'test::ew::private' is not visible to this session.");
    const batch = await client.trigger<Json, { functions: Json[] }>({
      function_id: 'engine::functions::info',
      payload: { function_ids: ['test::ew::private', 'test::ew::public::echo'] },
    });
    expect(batch.functions[0]).toEqual({ function_id: 'test::ew::private', error: 'forbidden' });
    expect(batch.functions[1]).toMatchObject({ function_id: 'test::ew::public::echo' });
  });
});

describe('engine.md §13.2/§13.3 void calls', () => {
  it('answers a denied void call with FORBIDDEN under a fresh invocation id', async () => {
    const raw = await rawClient('valid-token');
    try {
      raw.send({ type: 'invokefunction', function_id: 'test::ew::private', data: {}, action: { type: 'void' } });
      const frame = await raw.result('test::ew::private');
      expect(frame).toEqual({
        type: 'invocationresult',
        invocation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        function_id: 'test::ew::private',
        error: { code: 'FORBIDDEN', message: "function 'test::ew::private' not allowed (add to rbac.expose_functions)" },
      });
    } finally {
      raw.close();
    }
  });

  it('runs the middleware for an allowed void call and sends its result anyway', async () => {
    const raw = await rawClient('valid-token');
    try {
      raw.send({ type: 'invokefunction', function_id: 'test::ew::valid-token-echo', data: { v: 1 }, action: { type: 'void' } });
      const frame = await raw.result('test::ew::valid-token-echo');
      expect(frame.result).toMatchObject({ valid_token: true, echoed: { v: 1, _caller: 'user-1' } });
      expect(middlewareCalls[0]).toMatchObject({ action: { type: 'void' } });
    } finally {
      raw.close();
    }
  });
});

describe('engine.md §13.3 middleware', () => {
  it('runs the middleware instead of the target and returns its answer', async () => {
    const client = rbacWorker('valid-token');
    const result = await client.trigger<Json, { echoed: Json; valid_token: boolean }>({
      function_id: 'test::ew::valid-token-echo',
      payload: { msg: 'hello' },
    });
    expect(result.valid_token).toBe(true);
    expect(result.echoed).toMatchObject({ msg: 'hello', _intercepted: true, _caller: 'user-1' });
    expect(middlewareCalls).toEqual([
      { function_id: 'test::ew::valid-token-echo', payload: { msg: 'hello' }, action: null, context: { role: 'admin', user_id: 'user-1' } },
    ]);
  });

  it('skips the middleware for engine:: functions', async () => {
    const client = rbacWorker('valid-token');
    await client.trigger({ function_id: 'engine::functions::list', payload: {} });
    expect(middlewareCalls).toHaveLength(0);
  });
});

describe('engine.md §13.4 registration gating and hooks', () => {
  it('drops a function registration the hook denies and passes the session context', async () => {
    const client = rbacWorker('valid-token');
    client.registerFunction('denied::blocked-fn', async () => ({ reached: true }));
    await waitFor(() => hookCalls.function.length === 1);
    expect(hookCalls.function[0]).toEqual({
      function_id: 'denied::blocked-fn',
      description: null,
      metadata: null,
      context: { role: 'admin', user_id: 'user-1' },
    });
    const error = await rejection(main.trigger({ function_id: 'denied::blocked-fn', payload: {}, timeoutMs: 2_000 }));
    expect(error.code).toBe('function_not_found');
  });

  it('registers under the id the hook returns', async () => {
    const client = rbacWorker('valid-token');
    client.registerFunction('renamed::original', async () => ({ renamed: true }));
    await waitForFunctions(main, ['test::ew::public::renamed']);
    await expect(main.trigger({ function_id: 'test::ew::public::renamed', payload: {} })).resolves.toEqual({ renamed: true });
  });

  it('ignores function registrations when the session may not register', async () => {
    const client = rbacWorker('no-registration-token');
    client.registerFunction('test::ew::public::sneaky', async () => ({}));
    await client.trigger({ function_id: 'engine::log::info', payload: { message: 'flush' } });
    expect(hookCalls.function).toHaveLength(0);
    expect(await listIds(main)).not.toContain('test::ew::public::sneaky');
  });

  it('drops a trigger type the hook denies', async () => {
    const client = rbacWorker('valid-token');
    client.registerTriggerType(
      { id: 'denied-tt::test', description: 'Should be denied' },
      { registerTrigger: async () => undefined, unregisterTrigger: async () => undefined },
    );
    await waitFor(() => hookCalls.triggerType.length === 1);
    expect(hookCalls.triggerType[0]).toEqual({
      trigger_type_id: 'denied-tt::test',
      description: 'Should be denied',
      context: { role: 'admin', user_id: 'user-1' },
    });
    const types = await main.trigger<Json, { triggers: Array<{ id: string }> }>({ function_id: 'engine::triggers::list', payload: {} });
    expect(types.triggers.map((t) => t.id)).not.toContain('denied-tt::test');
  });

  it('refuses trigger types without allow_trigger_type_registration, before any hook', async () => {
    const client = rbacWorker('restricted-token');
    client.registerTriggerType(
      { id: 'tt::restricted', description: 'x' },
      { registerTrigger: async () => undefined, unregisterTrigger: async () => undefined },
    );
    await client.trigger({ function_id: 'engine::log::info', payload: { message: 'flush' } });
    expect(hookCalls.triggerType).toHaveLength(0);
  });

  it('drops a trigger the hook denies', async () => {
    const client = rbacWorker('valid-token');
    client.registerTrigger({ type: 'test-rbac-trigger', function_id: 'denied-trig::my-fn', config: { key: 'value' } });
    await waitFor(() => hookCalls.trigger.length === 1);
    expect(hookCalls.trigger[0]).toMatchObject({
      trigger_type: 'test-rbac-trigger',
      function_id: 'denied-trig::my-fn',
      config: { key: 'value' },
      context: { user_id: 'user-1' },
    });
    await client.trigger({ function_id: 'engine::log::info', payload: { message: 'flush' } });
    expect(boundTriggers).toHaveLength(0);
  });
});

describe('engine.md §13.4 function_registration_prefix', () => {
  it('prefixes registrations, strips the prefix on invocation and resolves it on unregister', async () => {
    const client = rbacWorker('prefix-token');
    const handle = client.registerFunction('prefixed-echo', async (data: Json) => ({ echoed: data }));
    await waitForFunctions(main, ['test-prefix::prefixed-echo']);
    expect(hookCalls.function[0]).toMatchObject({ function_id: 'prefixed-echo' });
    const result = await main.trigger<Json, { echoed: Json }>({ function_id: 'test-prefix::prefixed-echo', payload: { msg: 'p' } });
    expect(result.echoed).toMatchObject({ msg: 'p' });
    handle.unregister();
    await waitFor(async () => !(await listIds(main)).includes('test-prefix::prefixed-echo'));
  });

  it('prefixes the function id of triggers the session registers', async () => {
    const client = rbacWorker('prefix-token');
    client.registerTrigger({ type: 'test-rbac-trigger', function_id: 'prefixed-echo', config: {} });
    await waitFor(() => boundTriggers.length === 1);
    expect(hookCalls.trigger[0]).toMatchObject({ function_id: 'prefixed-echo' });
    expect(boundTriggers[0]).toMatchObject({ function_id: 'test-prefix::prefixed-echo' });
  });
});
