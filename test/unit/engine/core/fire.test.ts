import { EngineError } from '../../../../src/engine/core/errors';
import { TriggerDispatcher, type Invoker } from '../../../../src/engine/core/fire';
import { createLogger, type LogSink } from '../../../../src/engine/core/logger';
import type { InvocationOptions, TriggerRecord } from '../../../../src/engine/core/types';

interface Call {
  functionId: string;
  data: unknown;
  options: InvocationOptions;
}

/** Settles once `n` calls of `functionId` were seen. */
function harness(handlers: Record<string, (data: unknown) => unknown> = {}) {
  const calls: Call[] = [];
  const waiters: Array<() => void> = [];
  const invoke: Invoker = async (functionId, data, options) => {
    calls.push({ functionId, data, options });
    waiters.splice(0).forEach((wake) => wake());
    const handler = handlers[functionId];
    return handler === undefined ? undefined : handler(data);
  };
  const lines: string[] = [];
  const sink: LogSink = (_level, line) => lines.push(line);
  const dispatcher = new TriggerDispatcher(invoke, createLogger({ level: 'debug', sink }));
  const callsOf = (id: string) => calls.filter((c) => c.functionId === id);
  const until = async (predicate: () => boolean): Promise<void> => {
    const deadline = Date.now() + 2000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 10);
      });
    }
  };
  return { dispatcher, calls, callsOf, until, lines };
}

function trigger(id: string, config: unknown = {}, metadata?: unknown): TriggerRecord {
  return { id, trigger_type: 't', function_id: `fn::${id}`, config, ...(metadata !== undefined && { metadata }) };
}

describe('TriggerDispatcher', () => {
  it('delivers the events of one trigger in the order they were handed in, even with a condition', async () => {
    let toggle = 0;
    const h = harness({
      // Alternating slow/fast condition: order must still hold.
      cond: () => new Promise((resolve) => setTimeout(() => resolve(true), toggle++ % 2 === 0 ? 15 : 0)),
    });
    const t = trigger('a', { condition_function_id: 'cond' });
    for (let i = 0; i < 6; i += 1) h.dispatcher.fire([t], { i });
    await h.until(() => h.callsOf('fn::a').length === 6);
    expect(h.callsOf('fn::a').map((c) => c.data)).toEqual([0, 1, 2, 3, 4, 5].map((i) => ({ i })));
  });

  it('does not let a slow condition of one trigger stall another trigger', async () => {
    let release: (() => void) | undefined;
    const h = harness({ slow: () => new Promise<boolean>((resolve) => (release = () => resolve(true))) });
    h.dispatcher.fire([trigger('slow-one', { condition_function_id: 'slow' }), trigger('fast-one')], 'event');
    await h.until(() => h.callsOf('fn::fast-one').length === 1);
    expect(h.callsOf('fn::slow-one')).toHaveLength(0);
    release?.();
    await h.until(() => h.callsOf('fn::slow-one').length === 1);
  });

  it('skips an event when the condition returns exactly false', async () => {
    const h = harness({ cond: (data) => (data as { ok: unknown }).ok });
    const t = trigger('a', { condition_function_id: 'cond' });
    h.dispatcher.fire([t], { ok: false });
    h.dispatcher.fire([t], { ok: null });
    h.dispatcher.fire([t], { ok: 0 });
    await h.until(() => h.callsOf('fn::a').length === 2);
    expect(h.callsOf('fn::a').map((c) => c.data)).toEqual([{ ok: null }, { ok: 0 }]);
  });

  it('skips an event when the condition fails', async () => {
    const h = harness({
      cond: (data) => {
        if (data === 'bad') throw new EngineError('invocation_failed', 'nope');
        return true;
      },
    });
    const t = trigger('a', { condition_function_id: 'cond' });
    h.dispatcher.fire([t], 'bad');
    h.dispatcher.fire([t], 'good');
    await h.until(() => h.callsOf('fn::a').length === 1);
    expect(h.callsOf('fn::a')[0]?.data).toBe('good');
  });

  it('ignores the condition when withCondition is false', async () => {
    const h = harness({ cond: () => false });
    h.dispatcher.fire([trigger('a', { condition_function_id: 'cond' })], 'x', { withCondition: false });
    await h.until(() => h.callsOf('fn::a').length === 1);
    expect(h.callsOf('cond')).toHaveLength(0);
  });

  it('passes the trigger metadata as the second argument unless withMetadata is false', async () => {
    const h = harness();
    h.dispatcher.fire([trigger('a', {}, { tag: 1 })], 'x');
    h.dispatcher.fire([trigger('b', {}, { tag: 2 })], 'y', { withMetadata: false });
    await h.until(() => h.calls.length === 2);
    expect(h.callsOf('fn::a')[0]?.options).toEqual({ metadata: { tag: 1 } });
    expect(h.callsOf('fn::b')[0]?.options).toEqual({});
  });

  it('logs a failing handler instead of throwing', async () => {
    const h = harness({
      'fn::a': () => {
        throw new EngineError('function_not_found', 'Function fn::a not found');
      },
    });
    expect(() => h.dispatcher.fire([trigger('a')], 'x')).not.toThrow();
    await h.until(() => h.lines.some((line) => line.includes('function_not_found')));
  });

  it('delivers nothing after close', async () => {
    const h = harness();
    h.dispatcher.close();
    h.dispatcher.fire([trigger('a')], 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.calls).toHaveLength(0);
  });
});
