/**
 * State triggers under the `iii-0.22` semantics, as the reference engine v0.22.1 delivers them:
 * one task per write with no order across writes (even of one key), events without `seq` or
 * `version`, no retries, no resume of what was written while nobody listened, and none of the
 * change-log functions (`engine::capabilities`, `engine::settle`, `state::reactions::*`). Each
 * test drives it through real iii-sdk workers; the default semantics are the opposite in each
 * case (see test/integration/engine/state-reactions*.test.ts).
 */
import type { IIIClient } from 'iii-sdk';
import { ManualClock } from '../../../src/framework/testing/manual-clock';
import { deferred } from '../../support/wait';
import { TestHarness, rejectionOf, waitFor } from '../support/engine';

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

describe("state triggers under the 'iii-0.22' semantics", () => {
  let h: TestHarness;
  let caller: IIIClient;
  let clock: ManualClock;
  let seq = 0;

  beforeEach(async () => {
    // On a fake clock, so a retry timer (the default semantics would start one) can be run on demand.
    clock = new ManualClock();
    h = await TestHarness.start({ semantics: 'iii-0.22', clock });
    clock.settle = () => h.engine.settle();
    caller = h.worker('caller');
    seq += 1;
  });

  afterEach(() => h.close());

  it('runs the next write of a key while the previous one is still being handled, with events carrying no seq or version', async () => {
    const scope = `key-${seq}`;
    const id = `ref::react-${seq}`;
    const release = deferred();
    const seen: Array<Record<string, unknown>> = [];
    caller.registerFunction(id, async (event: Record<string, unknown>) => {
      seen.push(event);
      if (event.new_value === 1) await release.promise;
      return null;
    });
    caller.registerTrigger({ type: 'state', function_id: id, config: { scope } });
    await waitForTriggers(caller, id, 1);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 1 } });
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 2 } });
    await waitFor(() => seen.length === 2, { description: 'the second write of the key while the first is held' });
    release.resolve();
    await h.engine.settle();
    expect(seen).toEqual([
      { type: 'state', event_type: 'state:created', scope, key: 'k', old_value: null, new_value: 1 },
      { type: 'state', event_type: 'state:updated', scope, key: 'k', old_value: 1, new_value: 2 },
    ]);
  });

  it('does not retry a reaction that fails (at most once), and settle() waits for the fan-out', async () => {
    const scope = `fails-${seq}`;
    const id = `ref::fails-${seq}`;
    let attempts = 0;
    caller.registerFunction(id, async () => {
      attempts++;
      throw new Error('always fails');
    });
    caller.registerTrigger({ type: 'state', function_id: id, config: { scope, retry: { max_attempts: 5, backoff_ms: 1 } } });
    await waitForTriggers(caller, id, 1);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 1 } });
    await h.engine.settle();
    expect(attempts).toBe(1);
    // Time passing brings no retry (the default semantics would have retried 4 more times by now).
    await clock.tick(60_000);
    expect(attempts).toBe(1);
    // A second, later write is a new event: delivered once too, nothing of the first one again.
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 2 } });
    await h.engine.settle();
    expect(attempts).toBe(2);
  });

  it('does not resume: writes made while no worker held the trigger are never delivered', async () => {
    const scope = `resume-${seq}`;
    const id = `ref::resume-${seq}`;
    const register = (worker: IIIClient, seen: unknown[]): void => {
      worker.registerFunction(id, async (event: { new_value: unknown }) => {
        seen.push(event.new_value);
        return null;
      });
      worker.registerTrigger({ type: 'state', function_id: id, config: { scope } });
    };
    const before: unknown[] = [];
    const first = h.worker('first');
    register(first, before);
    await waitForTriggers(caller, id, 1);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 1 } });
    await h.engine.settle();
    await h.stopWorker(first);
    await waitForTriggers(caller, id, 0);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 2 } });

    const after: unknown[] = [];
    register(h.worker('second'), after);
    await waitForTriggers(caller, id, 1);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 3 } });
    await h.engine.settle();
    expect(before).toEqual([1]);
    expect(after).toEqual([3]);
  });

  it('delivers each write once per identical trigger, to the worker that registered the function last (N replicas, N deliveries)', async () => {
    const scope = `replicas-${seq}`;
    const id = `ref::replicas-${seq}`;
    const seen: string[] = [];
    for (const name of ['a', 'b']) {
      const worker = h.worker(name);
      worker.registerFunction(id, async () => {
        seen.push(name);
        return null;
      });
      worker.registerTrigger({ type: 'state', function_id: id, config: { scope } });
    }
    await waitForTriggers(caller, id, 2);
    await caller.trigger({ function_id: 'state::set', payload: { scope, key: 'k', value: 1 } });
    await h.engine.settle();
    expect(seen).toEqual(['b', 'b']);
  });

  it.each(['engine::capabilities', 'engine::settle', 'state::reactions::cursors', 'state::reactions::dead_letters'])(
    'has no %s (function_not_found, as on the reference engine)',
    async (functionId) => {
      const failure = await rejectionOf(caller.trigger({ function_id: functionId, payload: {} }));
      expect(failure.code).toBe('function_not_found');
    },
  );
});
