/**
 * The dev console's invocation recorder: it sees each call's outcome without changing it, keeps
 * the last 100 calls newest first, and sums calls, errors and latency per second for the chart.
 */
import { InvocationRecorder } from '../../../../src/engine/console/recorder';

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('InvocationRecorder', () => {
  it('records successes and failures without touching the caller’s outcome', async () => {
    const recorder = new InvocationRecorder();
    const ok = Promise.resolve('fine');
    const failing = Promise.reject(new Error('boom'));
    recorder.observe('a::ok', ok);
    recorder.observe('a::fail', failing);
    await expect(ok).resolves.toBe('fine');
    await expect(failing).rejects.toThrow('boom');
    await settled();

    const [last, first] = recorder.recent();
    expect(first).toMatchObject({ functionId: 'a::ok', durationMs: expect.any(Number) });
    expect(first?.error).toBeUndefined();
    expect(last).toMatchObject({ functionId: 'a::fail', error: 'boom' });
  });

  it('keeps the last 100 calls, newest first', async () => {
    const recorder = new InvocationRecorder();
    for (let i = 0; i < 150; i++) recorder.observe(`f::${i}`, Promise.resolve());
    await settled();
    const recent = recorder.recent();
    expect(recent).toHaveLength(100);
    expect(recent[0]?.functionId).toBe('f::149');
    expect(recent[99]?.functionId).toBe('f::50');
  });

  it('sums the last minute per second, zeros included', async () => {
    const recorder = new InvocationRecorder();
    recorder.observe('x', Promise.resolve());
    recorder.observe('x', Promise.resolve());
    recorder.observe('x', Promise.reject(new Error('no')));
    await settled();
    const series = recorder.series();
    expect(series).toHaveLength(60);
    expect(series.reduce((sum, p) => sum + p.calls, 0)).toBe(3);
    expect(series.reduce((sum, p) => sum + p.errors, 0)).toBe(1);
    expect(series.every((p, i) => i === 0 || p.t === series[i - 1]!.t + 1)).toBe(true);
    expect(recorder.series(Date.now() + 120_000).every((p) => p.calls === 0)).toBe(true);
  });

  it('leaves out the function ids it is told to ignore', async () => {
    const recorder = new InvocationRecorder((id) => id.startsWith('engine::'));
    recorder.observe('engine::workers::list', Promise.resolve());
    recorder.observe('todos::create', Promise.resolve());
    await settled();
    expect(recorder.recent().map((r) => r.functionId)).toEqual(['todos::create']);
  });
});
