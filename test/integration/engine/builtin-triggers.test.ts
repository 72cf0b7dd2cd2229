/**
 * In-process trigger types seen from a worker: the engine core and one worker listener are built
 * directly so the test can plug in its own built-in provider.
 */
import { EngineCore } from '../../../src/engine/core/engine-core';
import type { TriggerRecord } from '../../../src/engine/core/types';
import { openStorage } from '../../../src/engine/storage';
import { WorkerListener } from '../../../src/engine/worker-manager/listener';
import { RawWorker } from '../support/raw-worker';
import { waitFor } from '../support/engine';

describe('built-in trigger types over the worker protocol', () => {
  let core: EngineCore;
  let listener: WorkerListener;
  const registered: TriggerRecord[] = [];
  const unregistered: TriggerRecord[] = [];
  const workers: RawWorker[] = [];

  beforeAll(async () => {
    core = new EngineCore(openStorage({ kind: 'memory' }));
    const context = core.createContext('iii-test');
    context.registerTriggerType({
      id: 'picky',
      description: 'Rejects configs without ok:true',
      provider: {
        register: async (trigger) => {
          if ((trigger.config as { ok?: unknown } | null)?.ok !== true) throw new Error('config needs ok:true');
          registered.push(trigger);
        },
        unregister: (trigger) => {
          unregistered.push(trigger);
        },
      },
    });
    listener = new WorkerListener(core, { port: 0, host: '127.0.0.1', handshakeTimeoutMs: 10_000 });
    await listener.listen();
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
  });

  afterAll(async () => {
    await listener.close();
    core.shutdown();
    await core.storage.close();
  });

  async function connect(): Promise<RawWorker> {
    const { worker } = await RawWorker.register(listener.url());
    workers.push(worker);
    return worker;
  }

  it('answers a rejected registration with trigger_registration_failed and the provider message', async () => {
    const worker = await connect();
    worker.send({ type: 'registertrigger', id: 'bad-1', trigger_type: 'picky', function_id: 'f', config: { ok: false } });
    const result = await worker.next((f) => f.type === 'triggerregistrationresult');
    expect(result).toEqual({
      type: 'triggerregistrationresult',
      id: 'bad-1',
      trigger_type: 'picky',
      function_id: 'f',
      error: { code: 'trigger_registration_failed', message: 'config needs ok:true' },
    });
  });

  it('sends nothing for an accepted registration, and withdraws it when the worker disconnects', async () => {
    const worker = await connect();
    worker.send({
      type: 'registertrigger',
      id: 'good-1',
      trigger_type: 'picky',
      function_id: 'f',
      config: { ok: true },
      metadata: { m: 1 },
    });
    await waitFor(() => registered.some((t) => t.id === 'good-1'));
    expect(registered.find((t) => t.id === 'good-1')).toMatchObject({
      function_id: 'f',
      metadata: { m: 1 },
      worker_id: expect.any(String),
    });
    worker.send({ type: 'ping' });
    await worker.next((f) => f.type === 'pong');
    expect(worker.frames).toEqual([]);
    await worker.close();
    await waitFor(() => unregistered.some((t) => t.id === 'good-1'));
  });

  it('delivers fired events to the worker function with the trigger metadata, in order', async () => {
    const worker = await connect();
    worker.send({ type: 'registerfunction', id: 'fired::fn' });
    worker.send({
      type: 'registertrigger',
      id: 'fire-1',
      trigger_type: 'picky',
      function_id: 'fired::fn',
      config: { ok: true },
      metadata: { m: 2 },
    });
    await waitFor(() => registered.some((t) => t.id === 'fire-1'));
    const trigger = registered.find((t) => t.id === 'fire-1') as TriggerRecord;
    for (let i = 0; i < 20; i += 1) core.dispatcher.fire([trigger], { i });
    const seen: unknown[] = [];
    for (let i = 0; i < 20; i += 1) {
      const frame = await worker.next((f) => f.type === 'invokefunction');
      expect(frame).toMatchObject({ function_id: 'fired::fn', metadata: { m: 2 }, invocation_id: expect.any(String) });
      seen.push(frame.data);
      worker.send({ type: 'invocationresult', invocation_id: frame.invocation_id, function_id: 'fired::fn' });
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => ({ i })));
  });

  it('serves engine invocations of worker functions through EngineContext.invoke', async () => {
    const worker = await connect();
    worker.send({ type: 'registerfunction', id: 'ctx::double' });
    await waitFor(() => core.functions.has('ctx::double'));
    const context = core.createContext('iii-test');
    const pending = context.invoke('ctx::double', { n: 21 });
    const frame = await worker.next((f) => f.type === 'invokefunction');
    expect(frame.data).toEqual({ n: 21 }); // no _caller_worker_id for engine calls
    worker.send({ type: 'invocationresult', invocation_id: frame.invocation_id, function_id: 'ctx::double', result: 42 });
    await expect(pending).resolves.toBe(42);
    await expect(context.invoke('ctx::missing', {})).rejects.toMatchObject({ code: 'function_not_found' });
  });
});
