/**
 * A worker connection's frame intake: frames are applied in arrival order; a registration's work
 * holds back every frame behind it (an invocation of a function being registered waits for it),
 * and an invocation frame with nothing ahead of it is applied at once, inside the socket's event.
 */
import type { InboundFrame } from '../../../src/protocol/frames';
import { decodeFrame, FrameIntake } from '../../../src/engine/worker-manager/frame-intake';

const invoke = (id: string): InboundFrame => ({ type: 'invokefunction', invocation_id: id, function_id: 'fn', data: null });
const register = (id: string): InboundFrame => ({ type: 'registerfunction', id });

function recorder(): { applied: string[]; intake: FrameIntake; finish: () => void; failures: unknown[] } {
  const applied: string[] = [];
  const failures: unknown[] = [];
  let finish: () => void = () => undefined;
  const intake = new FrameIntake(
    (frame) => {
      if (frame.type === 'registerfunction') {
        applied.push(`register ${frame.id} started`);
        return new Promise<void>((resolve) => {
          finish = () => {
            applied.push(`register ${frame.id} done`);
            resolve();
          };
        });
      }
      if (frame.type === 'invokefunction' && frame.invocation_id === 'boom') throw new Error('boom');
      applied.push(`${frame.type} ${frame.type === 'invokefunction' ? String(frame.invocation_id) : ''}`.trim());
      return undefined;
    },
    (_frame, error) => failures.push(error),
  );
  return { applied, intake, finish: () => finish(), failures };
}

describe('FrameIntake', () => {
  it('applies an invocation with nothing ahead of it at once', () => {
    const { applied, intake } = recorder();
    intake.push(invoke('a'));
    expect(applied).toEqual(['invokefunction a']);
  });

  it('holds invocations behind a registration until its work is done, in arrival order', async () => {
    const { applied, intake, finish } = recorder();
    intake.push(register('fn'));
    intake.push(invoke('a'));
    intake.push(invoke('b'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(applied).toEqual(['register fn started']);
    finish();
    await intake.drained();
    expect(applied).toEqual(['register fn started', 'register fn done', 'invokefunction a', 'invokefunction b']);
    intake.push(invoke('c'));
    expect(applied.at(-1)).toBe('invokefunction c');
  });

  it('reports a frame that fails and goes on with the next', async () => {
    const { applied, intake, failures } = recorder();
    intake.push(invoke('boom'));
    intake.push(invoke('after'));
    await intake.drained();
    expect(failures).toEqual([new Error('boom')]);
    expect(applied).toEqual(['invokefunction after']);
  });

  it('decodes text as a string or as bytes, and rejects what is not a frame', () => {
    const text = JSON.stringify({ type: 'ping' });
    expect(decodeFrame(text, false)).toEqual({ type: 'ping' });
    expect(decodeFrame(Buffer.from(text), false)).toEqual({ type: 'ping' });
    expect(() => decodeFrame('{"type":"nope"}', false)).toThrow(/unknown frame type/);
  });
});
