import { encodeFrame, FrameError, isTelemetryFrame, parseFrame, type OutboundFrame } from '../../../src/protocol/frames';
import { JsonText } from '../../../src/protocol/json';
import { UNUSUAL_VALUES } from '../../support/unusual-json';

describe('worker frame parsing', () => {
  it('reads an SDK registertrigger frame, ignoring message_type', () => {
    const frame = parseFrame(
      '{"type":"registertrigger","function_id":"f","config":{"a":1},"metadata":{"k":"v"},"id":"t1","message_type":"registertrigger","trigger_type":"http"}',
    );
    expect(frame).toEqual({
      type: 'registertrigger',
      id: 't1',
      trigger_type: 'http',
      function_id: 'f',
      config: { a: 1 },
      metadata: { k: 'v' },
    });
  });

  it('defaults what the real engine would drop: description "", config null, data null', () => {
    expect(parseFrame('{"type":"registertriggertype","id":"tt"}')).toMatchObject({ description: '' });
    expect(parseFrame('{"type":"registertrigger","id":"t","trigger_type":"x","function_id":"f"}')).toMatchObject({ config: null });
    expect(parseFrame('{"type":"invokefunction","function_id":"f"}')).toMatchObject({ data: null });
  });

  it('tells an absent result from a null one', () => {
    const id = '7d0c7d0c-0000-4000-8000-000000000000';
    expect(parseFrame(`{"type":"invocationresult","invocation_id":"${id}","function_id":"f"}`)).toMatchObject({ hasResult: false });
    expect(parseFrame(`{"type":"invocationresult","invocation_id":"${id}","function_id":"f","result":null}`)).toMatchObject({
      hasResult: true,
      result: null,
    });
  });

  it('reads void and enqueue actions', () => {
    expect(parseFrame('{"type":"invokefunction","function_id":"f","data":1,"action":{"type":"void"}}')).toMatchObject({
      action: { type: 'void' },
    });
    expect(parseFrame('{"type":"invokefunction","function_id":"f","data":1,"action":{"type":"enqueue","queue":"q"}}')).toMatchObject({
      action: { type: 'enqueue', queue: 'q' },
    });
  });

  it('rejects malformed frames', () => {
    expect(() => parseFrame('{')).toThrow(SyntaxError);
    expect(() => parseFrame('[]')).toThrow(FrameError);
    expect(() => parseFrame('{"type":"what"}')).toThrow(FrameError);
    expect(() => parseFrame('{"type":"registerfunction","id":""}')).toThrow(FrameError);
    expect(() => parseFrame('{"type":"invokefunction","function_id":"f","invocation_id":"x"}')).toThrow(FrameError);
    expect(() => parseFrame('{"type":"invokefunction","function_id":"f","action":{"type":"later"}}')).toThrow(FrameError);
    expect(() => parseFrame('{"type":"registerfunction","id":"f","metadata":[1]}')).toThrow(FrameError);
  });

  it('treats a type named after an Object.prototype member as unknown', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => parseFrame(JSON.stringify({ type }))).toThrow(new FrameError(`unknown frame type ${JSON.stringify(type)}`));
    }
  });

  it('reads every field of its type through the one table: required, optional, defaulted', () => {
    expect(parseFrame('{"type":"ping","extra":1}')).toEqual({ type: 'ping' });
    expect(parseFrame('{"type":"unregistertrigger","id":"t"}')).toEqual({ type: 'unregistertrigger', id: 't', trigger_type: undefined });
    expect(() => parseFrame('{"type":"unregistertrigger","id":"t","trigger_type":5}')).toThrow(
      new FrameError('"trigger_type" must be a string'),
    );
    expect(() => parseFrame('{"type":"reattach"}')).toThrow(new FrameError('missing or invalid "previous_worker_id"'));
    expect(() => parseFrame('{"type":"invocationresult","function_id":"f"}')).toThrow(new FrameError('missing "invocation_id"'));
    expect(parseFrame('{"type":"registerservice","id":"s"}')).toEqual({ type: 'registerservice', id: 's' });
  });

  it('ignores blank frames and recognises telemetry prefixes', () => {
    expect(parseFrame('  ')).toBeNull();
    expect(isTelemetryFrame(Buffer.from('OTLP{}'))).toBe(true);
    expect(isTelemetryFrame(Buffer.from('LOGS'))).toBe(true);
    expect(isTelemetryFrame(Buffer.from('{"type":"ping"}'))).toBe(false);
  });
});

describe('encodeFrame', () => {
  const invocationId = '7d0c7d0c-0000-4000-8000-000000000000';

  it.each(UNUSUAL_VALUES.map((value) => [JSON.stringify(value), value]))(
    'splices a JsonText result as the same text JSON.stringify writes for its value: %s',
    (_label, value) => {
      const text = JSON.stringify(value);
      const frame = (result: unknown): OutboundFrame => ({
        type: 'invocationresult',
        invocation_id: invocationId,
        function_id: 'state::get',
        result,
      });
      const encoded = encodeFrame(frame(new JsonText(text)));
      expect(encoded).toBe(JSON.stringify(frame(JSON.parse(text))));
      expect((JSON.parse(encoded) as { result: unknown }).result).toEqual(JSON.parse(text));
    },
  );

  it('escapes the ids around a spliced result like JSON.stringify', () => {
    const frame = {
      type: 'invocationresult',
      invocation_id: invocationId,
      function_id: 'odd "id" \\ \u2028',
      result: new JsonText('{"a":1}'),
    } as const;
    expect(encodeFrame(frame)).toBe(JSON.stringify({ ...frame, result: { a: 1 } }));
  });

  it('encodes every other frame with JSON.stringify, and a JsonText anywhere else as its value', () => {
    const error = { type: 'invocationresult', invocation_id: invocationId, function_id: 'f', error: { code: 'x', message: 'y' } } as const;
    expect(encodeFrame(error)).toBe(JSON.stringify(error));
    const invoke: OutboundFrame = {
      type: 'invokefunction',
      invocation_id: invocationId,
      function_id: 'f',
      data: { nested: new JsonText('[1,"two"]') },
    };
    expect(JSON.parse(encodeFrame(invoke))).toEqual({
      type: 'invokefunction',
      invocation_id: invocationId,
      function_id: 'f',
      data: { nested: [1, 'two'] },
    });
  });
});
