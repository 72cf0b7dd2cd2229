/**
 * The worker protocol of the embedded engine, driven through real iii-sdk workers (and a raw
 * `ws` client where the SDK hides the wire). One describe per spec section.
 */
import { TriggerAction, type IIIClient } from 'iii-sdk';
import WebSocket from 'ws';
import { RawWorker, type RawFrame } from '../support/raw-worker';
import { TestHarness, waitFor, waitForFunctions, waitForTrigger } from '../support/engine';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Listed = { functions: Array<{ function_id: string; worker_name: string; description?: string }> };

async function listFunctions(client: IIIClient, payload: Record<string, unknown> = {}): Promise<string[]> {
  const listed = await client.trigger<unknown, Listed>({ function_id: 'engine::functions::list', payload });
  return listed.functions.map((fn) => fn.function_id);
}

let h: TestHarness;
const raws: RawWorker[] = [];

async function raw(): Promise<{ worker: RawWorker; workerId: string; token: string }> {
  const registered = await RawWorker.register(h.urls.worker);
  raws.push(registered.worker);
  return registered;
}

beforeAll(async () => {
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  h = await TestHarness.start();
});

afterEach(async () => {
  await Promise.all(raws.splice(0).map((worker) => worker.close()));
});

afterAll(async () => {
  await h.close();
  jest.restoreAllMocks();
});

describe('engine.md §2 connection lifecycle', () => {
  it('sends workerregistered with a uuid worker id and reattach token as the first frame', async () => {
    const worker = await RawWorker.connect(h.urls.worker);
    raws.push(worker);
    const first = await worker.next(() => true);
    expect(first).toEqual({
      type: 'workerregistered',
      worker_id: expect.stringMatching(UUID),
      reattach_token: expect.stringMatching(UUID),
    });
  });

  it('answers application pings and websocket pings', async () => {
    const { worker } = await raw();
    worker.send({ type: 'ping' });
    await expect(worker.next((f) => f.type === 'pong')).resolves.toEqual({ type: 'pong' });
    const pong = new Promise<void>((resolve) => worker.socket.once('pong', () => resolve()));
    worker.socket.ping();
    await pong;
  });

  it('drops invalid frames without closing the connection', async () => {
    const { worker } = await raw();
    worker.send('not json');
    worker.send('[1,2]');
    worker.send({ type: 'no-such-type' });
    worker.send({ type: 'invokefunction', invocation_id: 'not-a-uuid', function_id: 'x', data: {} });
    worker.send({ type: 'registerfunction' });
    worker.send('   ');
    worker.send(`{"type":"registerfunction","id":"deep::x","metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    worker.send({ type: 'ping' });
    await worker.next((f) => f.type === 'pong');
    expect(worker.isOpen).toBe(true);
    expect(worker.frames).toEqual([]);
  });

  it('accepts /otel connections and discards their frames', async () => {
    const otel = await RawWorker.connect(`${h.urls.worker}/otel`);
    raws.push(otel);
    otel.socket.send(Buffer.concat([Buffer.from('OTLP'), Buffer.from('{"resourceSpans":[]}')]));
    otel.send({ type: 'ping' });
    const pong = new Promise<void>((resolve) => otel.socket.once('pong', () => resolve()));
    otel.socket.ping();
    await pong;
    expect(otel.frames).toEqual([]);
  });

  it('refuses other paths with 404', async () => {
    const status = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(`${h.urls.worker}/nope`);
      socket.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        socket.terminate();
      });
      socket.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
    const response = await fetch(h.urls.worker.replace('ws://', 'http://') + '/anything');
    expect(response.status).toBe(404);
  });

  it('evicts the previous connection on reattach with the right token', async () => {
    const old = await raw();
    old.worker.send({ type: 'registerfunction', id: 'reattach::old' });
    const fresh = await raw();
    fresh.worker.send({ type: 'reattach', previous_worker_id: old.workerId, reattach_token: old.token });
    await old.worker.closed();
    const listed = await fresh.worker.call('engine::functions::list', { prefix: 'reattach::' });
    expect(listed.result).toEqual({ functions: [] });
  });

  it('ignores reattach with a wrong token', async () => {
    const old = await raw();
    old.worker.send({ type: 'registerfunction', id: 'reattach::kept' });
    const fresh = await raw();
    fresh.worker.send({ type: 'reattach', previous_worker_id: old.workerId, reattach_token: '00000000-0000-4000-8000-000000000000' });
    const listed = await fresh.worker.call('engine::functions::list', { prefix: 'reattach::' });
    expect(listed.result).toMatchObject({ functions: [{ function_id: 'reattach::kept' }] });
    expect(old.worker.isOpen).toBe(true);
  });
});

describe('engine.md §3 message catalogue', () => {
  it('lists a registered function with its description and metadata, and forgets it after unregister', async () => {
    const a = h.worker('catalogue-a');
    const ref = a.registerFunction('cat::fn', async () => 'ok', { description: 'desc', metadata: { a: 1 } });
    await waitForFunctions(a, ['cat::fn']);
    const listed = await a.trigger<unknown, Listed>({ function_id: 'engine::functions::list', payload: { prefix: 'cat::' } });
    expect(listed.functions).toEqual([{ function_id: 'cat::fn', worker_name: 'catalogue-a', description: 'desc', metadata: { a: 1 } }]);
    ref.unregister();
    await waitFor(async () => !(await listFunctions(a, { prefix: 'cat::' })).includes('cat::fn'));
    await h.stopWorker(a);
  });

  it('only lets the owner unregister a function', async () => {
    const owner = await raw();
    const other = await raw();
    owner.worker.send({ type: 'registerfunction', id: 'own::fn' });
    other.worker.send({ type: 'unregisterfunction', id: 'own::fn' });
    const listed = await other.worker.call('engine::functions::list', { prefix: 'own::' });
    expect(listed.result).toMatchObject({ functions: [{ function_id: 'own::fn' }] });
  });

  it('accepts lenient frames: trigger type without description, invocation without data', async () => {
    const { worker } = await raw();
    worker.send({ type: 'registertriggertype', id: 'lenient::type' });
    const types = await worker.call('engine::triggers::list', { prefix: 'lenient::' });
    expect(types.result).toEqual({ triggers: [{ id: 'lenient::type', worker_name: 'lenient', description: '' }] });
    const invocationId = '11111111-1111-4111-8111-111111111111';
    worker.send({ type: 'invokefunction', invocation_id: invocationId, function_id: 'engine::health::check' });
    const reply = await worker.next((f) => f.invocation_id === invocationId);
    expect(reply.result).toMatchObject({ status: 'healthy' });
  });

  it('ignores the SDK’s extra message_type field', async () => {
    const { worker } = await raw();
    worker.send({ type: 'registertriggertype', id: 'extra::type', description: 'd', message_type: 'registertriggertype' });
    worker.send({
      type: 'registertrigger',
      id: 'extra-trigger',
      trigger_type: 'extra::type',
      function_id: 'extra::fn',
      config: { x: 1 },
      message_type: 'registertrigger',
    });
    const forwarded = await worker.next((f) => f.type === 'registertrigger');
    expect(forwarded).toEqual({
      type: 'registertrigger',
      id: 'extra-trigger',
      trigger_type: 'extra::type',
      function_id: 'extra::fn',
      config: { x: 1 },
    });
  });
});

describe('engine.md §4 invocation semantics', () => {
  let owner: IIIClient;
  let seen: Array<{ data: unknown; metadata: unknown }>;

  beforeAll(async () => {
    seen = [];
    owner = h.worker('invocation-owner');
    owner.registerFunction('inv::undefined', async () => undefined);
    owner.registerFunction('inv::null', async () => null);
    owner.registerFunction('inv::echo', async (data: unknown, metadata?: unknown) => {
      seen.push({ data, metadata });
      return { data, metadata: metadata ?? 'none' };
    });
    owner.registerFunction('inv::fail', async () => {
      throw new Error('boom');
    });
    owner.registerFunction('inv::never', () => new Promise(() => undefined));
    await waitForFunctions(owner, ['inv::undefined', 'inv::null', 'inv::echo', 'inv::fail', 'inv::never']);
  });

  afterAll(async () => {
    await h.stopWorker(owner);
  });

  it('omits result when the handler returned undefined and sends null when it returned null', async () => {
    const { worker } = await raw();
    const absent = await worker.call('inv::undefined', {});
    expect(Object.keys(absent)).not.toContain('result');
    expect(absent).not.toHaveProperty('error');
    const present = await worker.call('inv::null', {});
    expect(present).toHaveProperty('result', null);
  });

  it('rejects an unknown function with function_not_found and the engine message', async () => {
    const { worker } = await raw();
    const reply = await worker.call('inv::missing', {});
    expect(reply.error).toEqual({ code: 'function_not_found', message: 'Function inv::missing not found' });
    const caller = h.worker('invocation-caller');
    await expect(caller.trigger({ function_id: 'inv::missing', payload: {} })).rejects.toMatchObject({ code: 'function_not_found' });
    await h.stopWorker(caller);
  });

  it('injects _caller_worker_id into object payloads only and passes metadata separately', async () => {
    const { worker, workerId } = await raw();
    const reply = await worker.call('inv::echo', { a: 1 }, { metadata: { tenant: 't1' } });
    expect(reply.result).toEqual({ data: { a: 1, _caller_worker_id: workerId }, metadata: { tenant: 't1' } });
    const arrayReply = await worker.call('inv::echo', [1, 2]);
    expect(arrayReply.result).toEqual({ data: [1, 2], metadata: 'none' });
  });

  it('relays a worker’s error with its code, message and stacktrace', async () => {
    const { worker } = await raw();
    const reply = await worker.call('inv::fail', {});
    expect(reply.error).toMatchObject({ code: 'invocation_failed', message: 'boom', stacktrace: expect.stringContaining('boom') });
  });

  it('runs void calls and calls without invocation id without replying', async () => {
    const { worker } = await raw();
    worker.send({ type: 'invokefunction', function_id: 'inv::echo', data: { tag: 'no-id' } });
    worker.send({
      type: 'invokefunction',
      invocation_id: '22222222-2222-4222-8222-222222222222',
      function_id: 'inv::echo',
      data: { tag: 'void' },
      action: { type: 'void' },
    });
    await waitFor(() => ['no-id', 'void'].every((tag) => seen.some((s) => (s.data as { tag?: string }).tag === tag)));
    worker.send({ type: 'ping' });
    await worker.next((f) => f.type === 'pong');
    expect(worker.frames.filter((f) => f.type === 'invocationresult')).toEqual([]);
  });

  it('resolves an SDK void trigger at once and still delivers it', async () => {
    const caller = h.worker('void-caller');
    await expect(
      caller.trigger({ function_id: 'inv::echo', payload: { tag: 'sdk-void' }, action: TriggerAction.Void() }),
    ).resolves.toBeUndefined();
    await waitFor(() => seen.some((s) => (s.data as { tag?: string }).tag === 'sdk-void'));
    await h.stopWorker(caller);
  });

  it('stops an invocation with invocation_stopped when the executing worker disconnects', async () => {
    const slow = h.worker('slow-owner');
    slow.registerFunction('inv::hang', () => new Promise(() => undefined));
    await waitForFunctions(slow, ['inv::hang']);
    const { worker } = await raw();
    const invocationId = '33333333-3333-4333-8333-333333333333';
    worker.send({ type: 'invokefunction', invocation_id: invocationId, function_id: 'inv::hang', data: {} });
    await waitFor(async () => {
      const listed = await worker.call('engine::workers::list', { search: 'slow-owner' });
      return (listed.result as { workers: Array<{ active_invocations: number }> }).workers[0]?.active_invocations === 1;
    });
    await h.stopWorker(slow);
    const reply = await worker.next((f) => f.invocation_id === invocationId);
    expect(reply.error).toEqual({ code: 'invocation_stopped', message: 'Invocation stopped' });
  });

  it('halts the invocations a caller initiated when the caller disconnects', async () => {
    const caller = await RawWorker.register(h.urls.worker);
    caller.worker.send({
      type: 'invokefunction',
      invocation_id: '44444444-4444-4444-8444-444444444444',
      function_id: 'inv::never',
      data: {},
    });
    const { worker: observer } = await raw();
    const activeOfOwner = async (): Promise<number | undefined> => {
      const listed = await observer.call('engine::workers::list', { search: 'invocation-owner' });
      return (listed.result as { workers: Array<{ active_invocations: number }> }).workers[0]?.active_invocations;
    };
    await waitFor(async () => (await activeOfOwner()) === 1);
    await caller.worker.close();
    await waitFor(async () => (await activeOfOwner()) === 0);
  });
});

describe('engine.md §4 robustness', () => {
  it('answers invocation_error when a worker result is too deep to re-encode, and stays up', async () => {
    const owner = await raw();
    owner.worker.send({ type: 'registerfunction', id: 'deep::fn' });
    const caller = await raw();
    await waitFor(
      async () => ((await caller.worker.call('engine::functions::list', { prefix: 'deep::' })).result as Listed).functions.length === 1,
    );
    const invocationId = '55555555-5555-4555-8555-555555555555';
    caller.worker.send({ type: 'invokefunction', invocation_id: invocationId, function_id: 'deep::fn', data: {} });
    const request = await owner.worker.next((f) => f.type === 'invokefunction');
    const depth = 200_000;
    owner.worker.send(
      `{"type":"invocationresult","invocation_id":"${String(request.invocation_id)}","function_id":"deep::fn","result":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    const reply = await caller.worker.next((f) => f.invocation_id === invocationId);
    expect(reply.error).toMatchObject({ code: 'invocation_error' });
    const health = await caller.worker.call('engine::health::check', {});
    expect(health.result).toMatchObject({ status: 'healthy' });
  });

  it('keeps __proto__ keys as plain data on the way through', async () => {
    const owner = h.worker('proto-owner');
    owner.registerFunction('proto::echo', async (data: unknown) => data);
    await waitForFunctions(owner, ['proto::echo']);
    const { worker } = await raw();
    worker.send(
      '{"type":"invokefunction","invocation_id":"66666666-6666-4666-8666-666666666666","function_id":"proto::echo","data":{"__proto__":{"polluted":true},"x":1}}',
    );
    const reply = await worker.next((f) => f.invocation_id === '66666666-6666-4666-8666-666666666666');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(reply.result).toMatchObject({ x: 1 });
    await h.stopWorker(owner);
  });
});

describe('engine.md §4.7 enqueue action', () => {
  it('replies enqueue_error naming the missing provider when no queue worker runs', async () => {
    const bare = await TestHarness.start({ config: { workers: [{ name: 'iii-worker-manager', config: {} }] } });
    try {
      const caller = bare.worker('enqueue-caller');
      await expect(
        caller.trigger({ function_id: 'some::job', payload: {}, action: TriggerAction.Enqueue({ queue: 'default' }) }),
      ).rejects.toMatchObject({
        code: 'enqueue_error',
        message: expect.stringContaining('No queue provider is installed.'),
      });
    } finally {
      await bare.close();
    }
  });

  it('hands the documented payload to engine::queue::enqueue and replies a messageReceiptId', async () => {
    const bare = await TestHarness.start({ config: { workers: [{ name: 'iii-worker-manager', config: {} }] } });
    try {
      const provider = bare.worker('fake-queue');
      const requests: unknown[] = [];
      provider.registerFunction('engine::queue::enqueue', async (request: unknown) => {
        requests.push(request);
        return { accepted: true };
      });
      await waitForFunctions(provider, ['engine::queue::enqueue']);
      const caller = bare.worker('enqueue-caller');
      const receipt = await caller.trigger<unknown, { messageReceiptId: string }>({
        function_id: 'orders::process',
        payload: { order: 7 },
        action: TriggerAction.Enqueue({ queue: 'orders' }),
      });
      expect(receipt).toEqual({ messageReceiptId: expect.stringMatching(UUID) });
      expect(requests).toEqual([
        {
          queue: 'orders',
          function_id: 'orders::process',
          data: { order: 7 },
          messageReceiptId: receipt.messageReceiptId,
          traceparent: null,
          baggage: null,
        },
      ]);
    } finally {
      await bare.close();
    }
  });
});

describe('engine.md §5 registries', () => {
  type Binding = { id: string; function_id: string; config: unknown };

  function provider(name: string, typeId: string) {
    const registered: Binding[] = [];
    const unregistered: Binding[] = [];
    const client = h.worker(name);
    client.registerTriggerType(
      { id: typeId, description: `${typeId} trigger` },
      {
        registerTrigger: async (binding: Binding) => {
          registered.push({ id: binding.id, function_id: binding.function_id, config: binding.config });
        },
        unregisterTrigger: async (binding: Binding) => {
          unregistered.push({ id: binding.id, function_id: binding.function_id, config: binding.config });
        },
      },
    );
    return { client, registered, unregistered };
  }

  it('parks a trigger of an unknown type without an error and activates it when the type appears', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const consumer = h.worker('park-consumer');
    consumer.registerFunction('park::on-hook', async () => 'ok');
    consumer.registerTrigger({ type: 'park::hook', function_id: 'park::on-hook', config: { tag: 'x' } });
    await waitForFunctions(consumer, ['park::on-hook']);
    const p = provider('park-provider', 'park::hook');
    await waitFor(() => p.registered.length === 1);
    expect(p.registered[0]).toEqual({ id: expect.any(String), function_id: 'park::on-hook', config: { tag: 'x' } });
    expect(errors.mock.calls.flat().join(' ')).not.toContain('Trigger registration failed');
    errors.mockRestore();
    await h.stopWorker(p.client);
    await h.stopWorker(consumer);
  });

  it('re-delivers a binding with the same trigger id when its provider restarts, and fires reach the consumer', async () => {
    const received: unknown[] = [];
    const consumer = h.worker('restart-consumer');
    consumer.registerFunction('restart::on-hook', async (data: unknown) => {
      received.push(data);
    });
    consumer.registerTrigger({ type: 'restart::hook', function_id: 'restart::on-hook', config: { n: 1 } });
    const first = provider('restart-provider-1', 'restart::hook');
    await waitFor(() => first.registered.length === 1);
    const triggerId = first.registered[0]?.id;
    await h.stopWorker(first.client);

    const second = provider('restart-provider-2', 'restart::hook');
    await waitFor(() => second.registered.length === 1);
    expect(second.registered[0]).toEqual({ id: triggerId, function_id: 'restart::on-hook', config: { n: 1 } });

    await second.client.trigger({ function_id: 'restart::on-hook', payload: { fired: true }, action: TriggerAction.Void() });
    await waitFor(() => received.length === 1);
    expect(received[0]).toMatchObject({ fired: true });
    await h.stopWorker(second.client);
    await h.stopWorker(consumer);
  });

  it('tells the provider to unregister a binding when the consumer disconnects', async () => {
    const p = provider('gone-provider', 'gone::hook');
    const consumer = h.worker('gone-consumer');
    consumer.registerFunction('gone::fn', async () => undefined);
    consumer.registerTrigger({ type: 'gone::hook', function_id: 'gone::fn', config: { k: 1 } });
    await waitFor(() => p.registered.length === 1);
    await h.stopWorker(consumer);
    await waitFor(() => p.unregistered.length === 1);
    expect(p.unregistered[0]?.id).toBe(p.registered[0]?.id);
    await h.stopWorker(p.client);
  });

  it('parks a binding the provider rejected and forwards the error to the consumer', async () => {
    const p = await raw();
    p.worker.send({ type: 'registertriggertype', id: 'reject::hook', description: 'rejects' });
    const c = await raw();
    c.worker.send({ type: 'registerfunction', id: 'reject::fn' });
    c.worker.send({ type: 'registertrigger', id: 'reject-1', trigger_type: 'reject::hook', function_id: 'reject::fn', config: {} });
    await p.worker.next((f) => f.type === 'registertrigger' && f.id === 'reject-1');
    p.worker.send({
      type: 'triggerregistrationresult',
      id: 'reject-1',
      trigger_type: 'reject::hook',
      function_id: 'reject::fn',
      error: { code: 'trigger_registration_failed', message: 'bad config' },
    });
    const forwarded = await c.worker.next((f) => f.type === 'triggerregistrationresult');
    expect(forwarded).toEqual({
      type: 'triggerregistrationresult',
      id: 'reject-1',
      trigger_type: 'reject::hook',
      function_id: 'reject::fn',
      error: { code: 'trigger_registration_failed', message: 'bad config' },
    });
    const listed = await c.worker.call('engine::registered-triggers::list', { function_id: 'reject::fn' });
    expect(listed.result).toEqual({ registered_triggers: [] });
  });

  it('replaces a trigger re-registered with the same id', async () => {
    const p = await raw();
    p.worker.send({ type: 'registertriggertype', id: 'dup::hook', description: 'dup' });
    const c = await raw();
    const frame: RawFrame = { type: 'registertrigger', id: 'dup-1', trigger_type: 'dup::hook', function_id: 'dup::fn', config: { v: 1 } };
    c.worker.send(frame);
    c.worker.send({ ...frame, config: { v: 2 } });
    const listed = await c.worker.call('engine::registered-triggers::list', { trigger_type: 'dup::hook' });
    expect(listed.result).toMatchObject({ registered_triggers: [{ id: 'dup-1', config: { v: 2 } }] });
  });

  it('keeps a function registered by a newer owner when the older owner disconnects', async () => {
    const older = await raw();
    older.worker.send({ type: 'registerfunction', id: 'moved::fn' });
    const newer = h.worker('newer-owner');
    newer.registerFunction('moved::fn', async () => 'from newer');
    await waitFor(
      async () =>
        (await older.worker.call('engine::functions::list', { worker: 'newer-owner' })).result !== undefined &&
        ((await older.worker.call('engine::functions::list', { worker: 'newer-owner' })).result as Listed).functions.length === 1,
    );
    await older.worker.close();
    await expect(newer.trigger({ function_id: 'moved::fn', payload: {} })).resolves.toBe('from newer');
    await h.stopWorker(newer);
  });
});

describe('engine.md §6 built-in functions', () => {
  let client: IIIClient;

  beforeAll(async () => {
    client = h.worker('builtin-client');
    client.registerFunction('six::alpha', async () => 1, { description: 'First function' });
    client.registerFunction('six::beta', async () => 2, { description: 'mentions alpha in text' });
    client.registerFunction('six::hidden', async () => 3, { metadata: { internal: true } });
    client.registerTrigger({ type: 'six::type', function_id: 'six::alpha', config: {} });
    await waitForFunctions(client, ['six::alpha', 'six::beta', 'six::hidden']);
  });

  afterAll(async () => {
    await h.stopWorker(client);
  });

  it('hides engine:: and internal functions unless include_internal is set', async () => {
    const visible = await listFunctions(client);
    expect(visible).toEqual(expect.arrayContaining(['six::alpha', 'six::beta']));
    expect(visible.some((id) => id.startsWith('engine::') && !id.startsWith('engine::queue::'))).toBe(false);
    expect(visible).not.toContain('six::hidden');
    const all = await listFunctions(client, { include_internal: true });
    expect(all).toEqual(expect.arrayContaining(['six::hidden', 'engine::functions::list']));
  });

  it('filters by prefix and worker name and ranks search hits', async () => {
    expect(await listFunctions(client, { prefix: 'six::' })).toEqual(['six::alpha', 'six::beta']);
    expect(await listFunctions(client, { worker: 'builtin-client' })).toEqual(['six::alpha', 'six::beta']);
    expect(await listFunctions(client, { search: 'ALPHA', prefix: 'six::' })).toEqual(['six::alpha', 'six::beta']);
    expect(await listFunctions(client, { search: 'nothing-matches-this' })).toEqual([]);
  });

  it('describes functions singly and in batches, with coded errors', async () => {
    await expect(client.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'six::alpha' } })).resolves.toMatchObject(
      {
        function_id: 'six::alpha',
        worker_name: 'builtin-client',
        description: 'First function',
        registered_triggers: [],
      },
    );
    await expect(
      client.trigger({ function_id: 'engine::functions::info', payload: { function_ids: ['six::beta', 'six::nope'] } }),
    ).resolves.toMatchObject({ functions: [{ function_id: 'six::beta' }, { function_id: 'six::nope', error: 'not_found' }] });
    await expect(client.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'six::nope' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(client.trigger({ function_id: 'engine::functions::info', payload: {} })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENTS',
    });
  });

  it('rejects a wrongly typed input with deserialization_error naming the function', async () => {
    await expect(client.trigger({ function_id: 'engine::functions::list', payload: { prefix: 42 } })).rejects.toMatchObject({
      code: 'deserialization_error',
      message: expect.stringContaining('Failed to deserialize input for engine::functions::list'),
    });
  });

  it('lists trigger types without schemas, hiding engine:: types by default', async () => {
    const visible = await client.trigger<unknown, { triggers: Array<Record<string, unknown>> }>({
      function_id: 'engine::triggers::list',
      payload: {},
    });
    const all = await client.trigger<unknown, { triggers: Array<Record<string, unknown>> }>({
      function_id: 'engine::triggers::list',
      payload: { include_internal: true },
    });
    expect(visible.triggers.some((t) => String(t.id).startsWith('engine::'))).toBe(false);
    expect(all.triggers.map((t) => t.id)).toEqual(expect.arrayContaining(['engine::workers-available', 'engine::functions-available']));
    expect(all.triggers.length).toBeGreaterThan(visible.triggers.length);
    expect(all.triggers.every((t) => !('configuration_schema' in t))).toBe(true);
  });

  it('lists registered trigger instances only, always as an array', async () => {
    const none = await client.trigger({ function_id: 'engine::registered-triggers::list', payload: { function_id: 'six::alpha' } });
    expect(none).toEqual({ registered_triggers: [] }); // its type never registered: parked, not listed
    const typeOwner = await raw();
    typeOwner.worker.send({ type: 'registertriggertype', id: 'six::type', description: 'six' });
    await waitForTrigger(client, 'six::alpha');
    const listed = await client.trigger<unknown, { registered_triggers: Array<Record<string, unknown>> }>({
      function_id: 'engine::registered-triggers::list',
      payload: { function_id: 'six::alpha' },
    });
    expect(listed.registered_triggers).toEqual([
      {
        id: expect.any(String),
        trigger_type: 'six::type',
        function_id: 'six::alpha',
        worker_name: 'builtin-client',
        config: {},
        config_summary: '{}',
      },
    ]);
  });

  it('lists SDK workers that reported a pid and the in-process workers', async () => {
    const listed = await client.trigger<unknown, { workers: Array<Record<string, unknown>> }>({
      function_id: 'engine::workers::list',
      payload: {},
    });
    expect(listed.workers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'builtin-client',
          runtime: 'node',
          status: 'connected',
          id: expect.stringMatching(UUID),
          function_count: 3,
        }),
        expect.objectContaining({ name: 'iii-engine-functions', runtime: 'engine', isolation: 'in-process', ip_address: null }),
      ]),
    );
    const info = await client.trigger<unknown, { worker: Record<string, unknown>; functions: unknown[] }>({
      function_id: 'engine::workers::info',
      payload: { name: 'builtin-client' },
    });
    expect(info.worker).toMatchObject({ name: 'builtin-client', pid: process.pid, internal: false });
    expect(info.functions).toHaveLength(3);
    await expect(client.trigger({ function_id: 'engine::workers::info', payload: { name: 'nobody' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('keeps an engine-owned trigger after its registering worker leaves, until unregistered', async () => {
    const temp = h.worker('temp-registrar');
    const { id } = await temp.trigger<unknown, { id: string }>({
      function_id: 'engine::register_trigger',
      payload: { trigger_type: 'log', function_id: 'six::beta', config: { level: 'error' } },
    });
    expect(id).toMatch(UUID);
    await h.stopWorker(temp);
    const info = await client.trigger({ function_id: 'engine::registered-triggers::info', payload: { id } });
    expect(info).toMatchObject({ id, trigger_type: 'log', function_id: 'six::beta', trigger: { id: 'log' } });
    await expect(client.trigger({ function_id: 'engine::unregister_trigger', payload: { id } })).resolves.toEqual({ removed: true });
    await expect(client.trigger({ function_id: 'engine::unregister_trigger', payload: { id } })).resolves.toEqual({ removed: false });
  });

  it('waits for a worker provider to accept an engine-owned trigger and reports its refusal', async () => {
    const p = await raw();
    p.worker.send({ type: 'registertriggertype', id: 'ack::hook', description: 'acks' });
    const { worker: caller } = await raw();
    await waitFor(
      async () =>
        ((await caller.call('engine::triggers::list', { prefix: 'ack::' })).result as { triggers: unknown[] }).triggers.length === 1,
    );
    const accepted = caller.call('engine::register_trigger', { trigger_type: 'ack::hook', function_id: 'ack::fn', config: { ok: true } });
    const first = await p.worker.next((f) => f.type === 'registertrigger');
    p.worker.send({ type: 'triggerregistrationresult', id: first.id, trigger_type: 'ack::hook', function_id: 'ack::fn' });
    expect((await accepted).result).toEqual({ id: first.id });

    const refused = caller.call('engine::register_trigger', { trigger_type: 'ack::hook', function_id: 'ack::fn', config: { ok: false } });
    const second = await p.worker.next((f) => f.type === 'registertrigger');
    p.worker.send({
      type: 'triggerregistrationresult',
      id: second.id,
      trigger_type: 'ack::hook',
      function_id: 'ack::fn',
      error: { code: 'bad_config', message: 'ok must be true' },
    });
    expect((await refused).error).toEqual({ code: 'trigger_registration_failed', message: 'bad_config: ok must be true' });
  });

  it('stores log records without a result and validates the message', async () => {
    const { worker } = await raw();
    const reply = await worker.call('engine::log::info', { message: 'hello' });
    expect(reply).not.toHaveProperty('result');
    expect(reply).not.toHaveProperty('error');
    const bad = await worker.call('engine::log::warn', { data: 1 });
    expect(bad.error).toMatchObject({ code: 'deserialization_error' });
  });

  it('reports health and diagnostic baggage', async () => {
    await expect(client.trigger({ function_id: 'engine::health::check', payload: {} })).resolves.toMatchObject({
      status: 'healthy',
      components: { otel: { status: 'disabled', details: null } },
      version: '0.22.1',
    });
    await expect(client.trigger({ function_id: 'engine::baggage::get', payload: { key: 'k' } })).resolves.toEqual({ value: null });
    await expect(client.trigger({ function_id: 'engine::baggage::get_all', payload: {} })).resolves.toEqual({ baggage: {} });
  });

  it('fires engine::workers-available and engine::functions-available', async () => {
    const workerEvents: unknown[] = [];
    const functionEvents: unknown[] = [];
    const watcher = h.worker('discovery-watcher');
    watcher.registerFunction('disc::workers', async (event: unknown, metadata?: unknown) => {
      workerEvents.push({ event, metadata });
    });
    watcher.registerFunction('disc::functions', async (event: unknown) => {
      functionEvents.push(event);
    });
    watcher.registerTrigger({ type: 'engine::workers-available', function_id: 'disc::workers', config: {}, metadata: { m: 1 } });
    watcher.registerTrigger({ type: 'engine::functions-available', function_id: 'disc::functions', config: {} });
    await waitForTrigger(watcher, 'disc::functions');
    await waitForTrigger(watcher, 'disc::workers');

    const { workerId } = await raw();
    await waitFor(() =>
      workerEvents.some(
        (e) => JSON.stringify(e) === JSON.stringify({ event: { event: 'worker_connected', worker_id: workerId }, metadata: { m: 1 } }),
      ),
    );
    watcher.registerFunction('disc::new', async () => undefined);
    await waitFor(() =>
      functionEvents.some((e) =>
        (e as { event: string; functions: Array<{ function_id: string }> }).functions.some((f) => f.function_id === 'disc::new'),
      ),
    );
    await h.stopWorker(watcher);
  });
});
