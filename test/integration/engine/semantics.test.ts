/**
 * The `iii-0.22` semantics: the embedded engine behaves as the reference iii engine v0.22.1 does
 * where a client can observe it. Each test drives the difference through real interfaces (iii-sdk
 * workers, HTTP, the stream WebSocket) and states what the default semantics do instead.
 */
import type { IIIClient } from 'iii-sdk';
import WebSocket from 'ws';
import { defaultConfig } from '../../../src/engine/config';
import { deferred } from '../../support/wait';
import { TestHarness, waitFor, waitForFunctions } from '../support/engine';

interface RegisteredTriggersResult {
  registered_triggers: Array<{ id: string }>;
}

async function waitForTriggers(client: IIIClient, functionId: string, count: number): Promise<void> {
  await waitFor(async () => {
    const listed = await client.trigger<unknown, RegisteredTriggersResult>({
      function_id: 'engine::registered-triggers::list',
      payload: { function_id: functionId, include_internal: true },
    });
    return listed.registered_triggers.length === count;
  });
}

function codeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
}

/** The reference defaults with a short HTTP deadline, so the hang-until-timeout case stays quick. */
function referenceConfig() {
  const workers = defaultConfig('iii-0.22').workers.map((entry) =>
    entry.name === 'iii-http' ? { name: entry.name, config: { ...entry.config, default_timeout: 300 } } : entry,
  );
  return { workers };
}

describe("semantics 'iii-0.22' (the reference engine's observable behaviour)", () => {
  let h: TestHarness;
  let caller: IIIClient;
  let seq = 0;

  beforeEach(async () => {
    h = await TestHarness.start({ semantics: 'iii-0.22', config: referenceConfig() });
    caller = h.worker('caller');
    seq += 1;
  });

  afterEach(async () => {
    await h.close();
  });

  it('lets the last registration of a function id take it over (no replicas)', async () => {
    const id = `ref::fn-${seq}`;
    const first = h.worker('first');
    first.registerFunction(id, async () => 'first');
    await waitForFunctions(caller, [id]);
    const second = h.worker('second');
    second.registerFunction(id, async () => 'second');
    await waitFor(async () => (await caller.trigger({ function_id: id, payload: {} })) === 'second');
    const answers = await Promise.all(Array.from({ length: 6 }, () => caller.trigger({ function_id: id, payload: {} })));
    expect(new Set(answers)).toEqual(new Set(['second']));
  });

  it('delivers a message once per identical subscription (N replicas, N deliveries)', async () => {
    const id = `ref::on-${seq}`;
    const topic = `topic-${seq}`;
    const received: unknown[] = [];
    for (const name of ['a', 'b']) {
      const worker = h.worker(name);
      worker.registerFunction(id, async (data: unknown) => {
        received.push(data);
        return null;
      });
      worker.registerTrigger({ type: 'subscribe', function_id: id, config: { topic } });
    }
    await waitForTriggers(caller, id, 2);
    await caller.trigger({ function_id: 'publish', payload: { topic, data: { n: 1 } } });
    await waitFor(() => received.length >= 2, { description: 'both deliveries' });
    expect(received).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('dispatches state events without order: a slow condition does not hold back the next event', async () => {
    const scope = `ordered-${seq}`;
    const id = `ref::react-${seq}`;
    const conditionId = `ref::condition-${seq}`;
    const release = deferred();
    const seen: string[] = [];
    caller.registerFunction(conditionId, async (event: { key: string }) => {
      if (event.key === 'first') await release.promise;
      return true;
    });
    caller.registerFunction(id, async (event: { key: string }) => {
      seen.push(event.key);
      return null;
    });
    caller.registerTrigger({ type: 'state', function_id: id, config: { scope, condition_function_id: conditionId } });
    await waitForTriggers(caller, id, 1);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'first', value: 1 } });
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'second', value: 2 } });
    await waitFor(() => seen.includes('second'), { description: 'the second event while the first is held' });
    expect(seen).toEqual(['second']);
    release.resolve();
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['second', 'first']);
  });

  it('leaves an HTTP request whose handler returns nothing waiting until default_timeout (504)', async () => {
    const id = `ref::nothing-${seq}`;
    caller.registerFunction(id, async () => undefined);
    caller.registerTrigger({ type: 'http', function_id: id, config: { api_path: `nothing-${seq}`, http_method: 'GET' } });
    await waitForTriggers(caller, id, 1);
    const started = Date.now();
    const res = await fetch(`${h.urls.http!}/nothing-${seq}`);
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('has no built-in queue: an enqueue fails with enqueue_error naming the missing provider', async () => {
    const id = `ref::job-${seq}`;
    caller.registerFunction(id, async () => null);
    await waitForFunctions(caller, [id]);
    const failure = await caller
      .trigger({ function_id: id, payload: {}, action: { type: 'enqueue', queue: 'default' } })
      .catch((err: unknown) => err);
    expect(codeOf(failure)).toBe('enqueue_error');
    expect(String((failure as Error).message)).toContain('No queue provider');
  });

  it('sends stream frames without seq or version, answers a join with since by a fresh sync, and refuses the path form', async () => {
    const stream = `ref-${seq}`;
    await caller.trigger({ function_id: 'stream::set', payload: { stream_name: stream, group_id: 'g', item_id: 'a', data: { v: 1 } } });
    const socket = new WebSocket(h.urls.stream!);
    const frames: Array<Record<string, unknown>> = [];
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: stream, groupId: 'g', since: 1, epoch: 'x' } }));
    await waitFor(() => frames.length >= 1, { description: 'the sync' });
    await caller.trigger({ function_id: 'stream::set', payload: { stream_name: stream, group_id: 'g', item_id: 'b', data: { v: 2 } } });
    await waitFor(() => frames.length >= 2, { description: 'the create' });
    socket.terminate();
    expect((frames[0]!.event as { type: string }).type).toBe('sync');
    expect(frames[0]!.gap).toBeUndefined();
    for (const frame of frames) {
      expect(frame).not.toHaveProperty('seq');
      expect(frame).not.toHaveProperty('version');
      expect(frame).not.toHaveProperty('epoch');
    }

    const refused = await new Promise<number>((resolve) => {
      const pathForm = new WebSocket(`${h.urls.stream!}/stream/${stream}/g`);
      pathForm.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      pathForm.once('open', () => resolve(101));
      pathForm.once('error', () => undefined);
    });
    expect(refused).toBe(404);
  });
});
