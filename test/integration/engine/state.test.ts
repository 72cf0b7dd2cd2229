/**
 * `iii-state` through the real iii-sdk client against the embedded engine: the SDK's own
 * state.test.ts expectations, the `state` trigger type, and bad input over the wire.
 */
import type { IIIClient } from 'iii-sdk';
import { TestHarness, waitFor, waitForFunctions, waitForTrigger } from '../support/engine';

interface StateEvent {
  type: string;
  event_type: string;
  scope: string;
  key: string;
  old_value: unknown;
  new_value: unknown;
}

describe('iii-state over the worker protocol', () => {
  let h: TestHarness;
  let iii: IIIClient;
  let scopeCounter = 0;
  /** A fresh scope per test, so tests never see each other's keys or events. */
  let scope: string;

  function call<T = unknown>(functionId: string, payload: unknown): Promise<T> {
    return iii.trigger<unknown, T>({ function_id: functionId, payload });
  }

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('state-tests');
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    scopeCounter += 1;
    scope = `scope-${scopeCounter}`;
  });

  describe('functions', () => {
    it('sets a new key with old_value null', async () => {
      const data = { name: 'Test Item', value: 100 };
      await expect(call('state::set', { scope, key: 'item', value: data })).resolves.toEqual({
        old_value: null,
        new_value: data,
      });
    });

    it('returns the previous value on overwrite and the stored value on get', async () => {
      await call('state::set', { scope, key: 'item', value: { v: 1 } });
      await expect(call('state::set', { scope, key: 'item', value: { v: 2 } })).resolves.toEqual({
        old_value: { v: 1 },
        new_value: { v: 2 },
      });
      await expect(call('state::get', { scope, key: 'item' })).resolves.toEqual({ v: 2 });
    });

    it('resolves undefined for a missing key and null for a stored null', async () => {
      await expect(call('state::get', { scope, key: 'missing' })).resolves.toBeUndefined();
      await call('state::set', { scope, key: 'nothing', value: null });
      await expect(call('state::get', { scope, key: 'nothing' })).resolves.toBeNull();
    });

    it('deletes a key, returning the bare old value, and resolves for a missing key', async () => {
      await call('state::set', { scope, key: 'item', value: { v: 1 } });
      await expect(call('state::delete', { scope, key: 'item' })).resolves.toEqual({ v: 1 });
      await expect(call('state::get', { scope, key: 'item' })).resolves.toBeUndefined();
      await expect(call('state::delete', { scope, key: 'item' })).resolves.toBeUndefined();
    });

    it('lists exactly the values of a scope in insertion order', async () => {
      await call('state::set', { scope, key: 'c', value: { id: 'c' } });
      await call('state::set', { scope, key: 'a', value: { id: 'a' } });
      await call('state::set', { scope, key: 'b', value: { id: 'b' } });
      await expect(call('state::list', { scope })).resolves.toEqual([{ id: 'c' }, { id: 'a' }, { id: 'b' }]);
    });

    it('lists groups sorted, containing the scope', async () => {
      await call('state::set', { scope, key: 'k', value: 1 });
      const { groups } = await call<{ groups: string[] }>('state::list_groups', {});
      expect(groups).toContain(scope);
      expect([...groups].sort()).toEqual(groups);
    });

    it('updates with set and append ops', async () => {
      await call('state::set', { scope, key: 'doc', value: { count: 0, name: 'initial', events: [], transcript: 'hello' } });
      const result = await call<Record<string, unknown>>('state::update', {
        scope,
        key: 'doc',
        ops: [
          { type: 'set', path: 'count', value: 5 },
          { type: 'append', path: 'events', value: { kind: 'chunk' } },
          { type: 'append', path: 'transcript', value: ' world' },
        ],
      });
      expect(result).toEqual({
        old_value: { count: 0, name: 'initial', events: [], transcript: 'hello' },
        new_value: { count: 5, name: 'initial', events: [{ kind: 'chunk' }], transcript: 'hello world' },
      });
      expect('errors' in result).toBe(false);
    });

    it('returns op errors in the result without failing the call', async () => {
      const result = await call<{ new_value: unknown; errors: Array<Record<string, unknown>> }>('state::update', {
        scope,
        key: 'doc',
        ops: [{ type: 'merge', path: ['a'], value: JSON.parse('{"__proto__": {"x": 1}}') }],
      });
      expect(result.new_value).toEqual({});
      expect(result.errors).toEqual([
        {
          op_index: 0,
          code: 'merge.value.proto_polluted',
          message: expect.any(String),
          doc_url: 'https://iii.dev/docs/workers/iii-state#error-codes',
        },
      ]);
    });

    it('keeps every one of many concurrent increments of one key', async () => {
      await Promise.all(
        Array.from({ length: 40 }, () => call('state::update', { scope, key: 'counter', ops: [{ type: 'increment', path: 'n', by: 1 }] })),
      );
      await expect(call('state::get', { scope, key: 'counter' })).resolves.toEqual({ n: 40 });
    });
  });

  describe('bad input', () => {
    it.each([
      ['state::set', { key: 'k', value: 1 }, 'missing field `scope`'],
      ['state::set', { scope: 's', key: 'k' }, 'missing field `value`'],
      ['state::get', { scope: 's', key: 42 }, 'expected a string'],
      ['state::update', { scope: 's', key: 'k', ops: [{ type: 'increment', path: 'n', by: 0.5 }] }, 'expected i64'],
      ['state::update', { scope: 's', key: 'k', ops: 'not-a-list' }, 'expected a sequence'],
    ])('%s rejects %j with deserialization_error', async (functionId, payload, reason) => {
      const failure = call(functionId, payload);
      await expect(failure).rejects.toMatchObject({ code: 'deserialization_error' });
      await expect(failure).rejects.toThrow(`Failed to deserialize input for ${functionId}: `);
      await expect(failure).rejects.toThrow(reason);
    });

    it('survives a deeply nested value and keeps serving', async () => {
      const deep = JSON.parse('['.repeat(2000) + ']'.repeat(2000)) as unknown;
      await call('state::set', { scope, key: 'deep', value: deep });
      await expect(call('state::get', { scope, key: 'deep' })).resolves.toEqual(deep);
      await expect(call('state::list', { scope })).resolves.toHaveLength(1);
    });
  });

  describe('state trigger', () => {
    it('delivers state:updated with the new value to a trigger on {scope, key}', async () => {
      const events: StateEvent[] = [];
      const functionId = `tests::on-state-${scope}`;
      iii.registerFunction(functionId, async (event: StateEvent) => {
        events.push(event);
        return null;
      });
      const trigger = iii.registerTrigger({ type: 'state', function_id: functionId, config: { scope, key: 'watched' } });
      await waitForTrigger(iii, functionId);

      await call('state::set', { scope, key: 'watched', value: { v: 1 } });
      await call('state::set', { scope, key: 'watched', value: { v: 2 } });
      await call('state::set', { scope, key: 'other', value: { v: 3 } });
      await call('state::delete', { scope, key: 'watched' });

      await waitFor(() => events.length >= 3, { description: 'three state events' });
      // Four writes took seqs first..first+3; the trigger saw the three of its key.
      const first = (events[0] as StateEvent & { seq: number }).seq;
      const seqOf = (n: number): number => first + n;
      expect(events).toEqual([
        {
          type: 'state',
          event_type: 'state:created',
          scope,
          key: 'watched',
          version: 1,
          seq: seqOf(0),
          old_value: null,
          new_value: { v: 1 },
        },
        {
          type: 'state',
          event_type: 'state:updated',
          scope,
          key: 'watched',
          version: 2,
          seq: seqOf(1),
          old_value: { v: 1 },
          new_value: { v: 2 },
        },
        {
          type: 'state',
          event_type: 'state:deleted',
          scope,
          key: 'watched',
          version: 3,
          seq: seqOf(3),
          old_value: { v: 2 },
          new_value: null,
        },
      ]);
      trigger.unregister();
    });

    it('passes the trigger metadata as the second argument', async () => {
      const seen: unknown[] = [];
      const functionId = `tests::meta-${scope}`;
      iii.registerFunction(functionId, async (_event: StateEvent, metadata?: unknown) => {
        seen.push(metadata);
        return null;
      });
      const trigger = iii.registerTrigger({
        type: 'state',
        function_id: functionId,
        config: { scope },
        metadata: { tenant: 'acme' },
      });
      await waitForTrigger(iii, functionId);
      await call('state::set', { scope, key: 'k', value: 1 });
      await waitFor(() => seen.length >= 1, { description: 'the state event' });
      expect(seen).toEqual([{ tenant: 'acme' }]);
      trigger.unregister();
    });

    it('skips events when the condition function returns false', async () => {
      const events: StateEvent[] = [];
      const handlerId = `tests::conditional-${scope}`;
      const conditionId = `tests::only-even-${scope}`;
      iii.registerFunction(conditionId, async (event: StateEvent) => (event.new_value as number) % 2 === 0);
      iii.registerFunction(handlerId, async (event: StateEvent) => {
        events.push(event);
        return null;
      });
      await waitForFunctions(iii, [conditionId, handlerId]);
      const trigger = iii.registerTrigger({
        type: 'state',
        function_id: handlerId,
        config: { scope, condition_function_id: conditionId },
      });
      await waitForTrigger(iii, handlerId);

      for (let n = 1; n <= 4; n++) await call('state::set', { scope, key: 'n', value: n });

      await waitFor(() => events.length >= 2, { description: 'the even events' });
      // A marker written last proves no late odd event is still on its way.
      await call('state::set', { scope, key: 'n', value: 100 });
      await waitFor(() => events.length >= 3, { description: 'the marker event' });
      expect(events.map((e) => e.new_value)).toEqual([2, 4, 100]);
      trigger.unregister();
    });

    it('delivers the events of one key in write order', async () => {
      const values: unknown[] = [];
      const functionId = `tests::ordered-${scope}`;
      iii.registerFunction(functionId, async (event: StateEvent) => {
        values.push(event.new_value);
        return null;
      });
      const trigger = iii.registerTrigger({ type: 'state', function_id: functionId, config: { scope, key: 'seq' } });
      await waitForTrigger(iii, functionId);

      await Promise.all(
        Array.from({ length: 20 }, () => call('state::update', { scope, key: 'seq', ops: [{ type: 'increment', path: '', by: 1 }] })),
      );
      await waitFor(() => values.length >= 20, { description: '20 state events' });
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      trigger.unregister();
    });

    it('refuses a trigger whose config is not a map', async () => {
      // The SDK reports a failed registration (triggerregistrationresult with error) on console.error.
      const reported = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const functionId = `tests::bad-config-${scope}`;
        iii.registerFunction(functionId, async () => null);
        iii.registerTrigger({ type: 'state', function_id: functionId, config: 'not-a-map' });
        const message = await waitFor(
          () => reported.mock.calls.map((args) => String(args[0])).find((text) => text.includes('Trigger registration failed')),
          { description: 'the registration failure' },
        );
        expect(message).toContain('Failed to parse trigger config: ');
      } finally {
        reported.mockRestore();
      }
    });
  });
});
