/**
 * Several workers registering the same functions and triggers (replicas of one app) against the
 * embedded engine, through real iii-sdk workers: calls spread over the replicas, a replica leaving
 * takes only its share, routes stay up while any replica lives, and a trigger registered by N
 * replicas delivers each event once.
 */
import type { IIIClient } from 'iii-sdk';
import { deferred } from '../../support/wait';
import { TestHarness, waitFor, waitForFunctions } from '../support/engine';

interface RegisteredTriggersResult {
  registered_triggers: Array<{ id: string; function_id: string }>;
}

/** Waits until `count` triggers bound to `functionId` are registered (one per replica). */
async function waitForTriggers(client: IIIClient, functionId: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const listed = await client.trigger<unknown, RegisteredTriggersResult>({
        function_id: 'engine::registered-triggers::list',
        payload: { function_id: functionId, include_internal: true },
      });
      return listed.registered_triggers.length === count;
    },
    { description: `${count} triggers for ${functionId}` },
  );
}

function codeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
}

describe('replicas: one function or trigger registered by several workers', () => {
  let h: TestHarness;
  let caller: IIIClient;
  let seq = 0;

  beforeEach(async () => {
    h = await TestHarness.start();
    caller = h.worker('caller');
    seq += 1;
  });

  afterEach(async () => {
    await h.close();
  });

  /** Starts `n` workers named replica-0…; returns them. */
  function replicas(n: number): IIIClient[] {
    return Array.from({ length: n }, (_, i) => h.worker(`replica-${i}`));
  }

  it('spreads calls over every replica and keeps serving when one leaves', async () => {
    const id = `replicas::work-${seq}`;
    const served = [0, 0, 0];
    const workers = replicas(3);
    workers.forEach((worker, i) =>
      worker.registerFunction(id, async (data: { n: number }) => {
        served[i] += 1;
        return { n: data.n, by: i };
      }),
    );
    await waitFor(async () => {
      const info = await caller.trigger<unknown, { functions: Array<{ function_id: string }> }>({
        function_id: 'engine::functions::list',
        payload: { include_internal: true },
      });
      return info.functions.some((fn) => fn.function_id === id) && served.every((count) => count === 0);
    });
    // Registrations are not acknowledged: call until every replica has answered once.
    await waitFor(async () => {
      await caller.trigger({ function_id: id, payload: { n: 0 } });
      return served.every((count) => count > 0);
    });
    served.fill(0);

    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) => caller.trigger<unknown, { n: number }>({ function_id: id, payload: { n } })),
    );
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(served).toEqual([10, 10, 10]);

    await h.stopWorker(workers[1]!);
    served.fill(0);
    await Promise.all(Array.from({ length: 20 }, (_, n) => caller.trigger({ function_id: id, payload: { n } })));
    expect(served).toEqual([10, 0, 10]);
  });

  it('fails the calls in flight on a replica that leaves with invocation_stopped, and only those', async () => {
    const id = `replicas::slow-${seq}`;
    const [stuck, healthy] = replicas(2);
    const started = deferred();
    stuck!.registerFunction(id, () => {
      started.resolve();
      return new Promise(() => undefined); // never answers: the call is in flight when it leaves
    });
    healthy!.registerFunction(id, async () => 'ok');
    await waitForFunctions(caller, [id]);
    await waitFor(async () => {
      await caller.trigger({ function_id: 'engine::functions::list', payload: {} });
      return true;
    });

    const outcomes: Array<Promise<unknown>> = [];
    // Round robin sends one of every two calls to the stuck replica once both are registered.
    for (let n = 0; n < 4; n++) outcomes.push(caller.trigger({ function_id: id, payload: { n } }).catch((err: unknown) => err));
    await started.promise;
    await h.stopWorker(stuck!);
    const settled = await Promise.all(outcomes);
    const stopped = settled.filter((outcome) => codeOf(outcome) === 'invocation_stopped');
    expect(stopped.length).toBeGreaterThan(0);
    expect(settled.filter((outcome) => outcome === 'ok').length).toBe(settled.length - stopped.length);
    await expect(caller.trigger({ function_id: id, payload: {} })).resolves.toBe('ok');
  });

  it('keeps an HTTP route registered by several replicas up while any of them lives', async () => {
    const id = `replicas::route-${seq}`;
    const path = `replicated-${seq}`;
    const workers = replicas(2);
    workers.forEach((worker, i) => {
      worker.registerFunction(id, async () => ({ status_code: 200, body: { by: i } }));
      worker.registerTrigger({ type: 'http', function_id: id, config: { api_path: path, http_method: 'GET' } });
    });
    await waitForTriggers(caller, id, 2);
    const url = `${h.urls.http!}/${path}`;
    const answeredBy = new Set<number>();
    for (let n = 0; n < 4; n++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      answeredBy.add(((await res.json()) as { by: number }).by);
    }
    expect([...answeredBy].sort()).toEqual([0, 1]);

    await h.stopWorker(workers[0]!);
    for (let n = 0; n < 3; n++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      await expect(res.json()).resolves.toEqual({ by: 1 });
    }
    await h.stopWorker(workers[1]!);
    await waitFor(async () => (await fetch(url)).status === 404, { description: 'the route to go with the last replica' });
  });

  it('runs a state reaction registered by three replicas once per change, also after one leaves', async () => {
    const id = `replicas::react-${seq}`;
    const scope = `replicated-${seq}`;
    const seen: string[] = [];
    const workers = replicas(3);
    workers.forEach((worker) => {
      worker.registerFunction(id, async (event: { key: string }) => {
        seen.push(event.key);
        return null;
      });
      worker.registerTrigger({ type: 'state', function_id: id, config: { scope } });
    });
    await waitForTriggers(caller, id, 3);
    const write = (key: string) => caller.trigger({ function_id: 'state::set', payload: { scope, key, value: { key } } });

    for (let n = 0; n < 9; n++) await write(`a${n}`);
    await waitFor(() => seen.length >= 9, { description: 'nine reactions' });
    await h.stopWorker(workers[0]!);
    for (let n = 0; n < 6; n++) await write(`b${n}`);
    await waitFor(() => seen.length >= 15, { description: 'fifteen reactions' });
    // A settled round trip: nothing further is on its way.
    await caller.trigger({ function_id: 'state::get', payload: { scope, key: 'a0' } });
    expect([...seen].sort()).toEqual(
      [...Array.from({ length: 9 }, (_, n) => `a${n}`), ...Array.from({ length: 6 }, (_, n) => `b${n}`)].sort(),
    );
  });

  it('delivers a pub/sub message once to a subscription registered by two replicas', async () => {
    const id = `replicas::on-message-${seq}`;
    const topic = `topic-${seq}`;
    const received: unknown[] = [];
    for (const worker of replicas(2)) {
      worker.registerFunction(id, async (data: unknown) => {
        received.push(data);
        return null;
      });
      worker.registerTrigger({ type: 'subscribe', function_id: id, config: { topic } });
    }
    await waitForTriggers(caller, id, 2);
    for (let n = 0; n < 4; n++) await caller.trigger({ function_id: 'publish', payload: { topic, data: { n } } });
    await waitFor(() => received.length >= 4, { description: 'four messages' });
    await caller.trigger({ function_id: 'engine::functions::list', payload: {} });
    expect(received).toHaveLength(4);
  });

  it('ticks a cron job registered by two replicas once per scheduled time', async () => {
    const id = `replicas::tick-${seq}`;
    const ticks: string[] = [];
    for (const worker of replicas(2)) {
      worker.registerFunction(id, async (data: { scheduled_time: string }) => {
        ticks.push(data.scheduled_time);
        return null;
      });
      worker.registerTrigger({ type: 'cron', function_id: id, config: { expression: '* * * * * *' } });
    }
    await waitForTriggers(caller, id, 2);
    await waitFor(() => ticks.length >= 2, { timeoutMs: 5_000, description: 'two ticks' });
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});
