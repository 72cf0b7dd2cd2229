import { skipUnrecordedTracePayloads } from '../../../../src/framework/application/sdk-tracing';

describe('skipUnrecordedTracePayloads', () => {
  it('turns the SDK payload capture off when telemetry is off', () => {
    const env: NodeJS.ProcessEnv = {};
    skipUnrecordedTracePayloads(false, env);
    expect(env.III_DISABLE_TRACE_PAYLOADS).toBe('1');
  });

  it('leaves the capture on when telemetry is on', () => {
    const env: NodeJS.ProcessEnv = {};
    skipUnrecordedTracePayloads(true, env);
    expect(env.III_DISABLE_TRACE_PAYLOADS).toBeUndefined();
  });

  it("keeps the user's own choice", () => {
    const env: NodeJS.ProcessEnv = { III_DISABLE_TRACE_PAYLOADS: 'false' };
    skipUnrecordedTracePayloads(false, env);
    expect(env.III_DISABLE_TRACE_PAYLOADS).toBe('false');
  });
});
