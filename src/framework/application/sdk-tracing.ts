/**
 * iii-sdk 0.22.1 redacts and serializes every invocation's input and result into span events, and
 * only then finds that no span records them: with OpenTelemetry off that is a deep copy and a
 * `JSON.stringify` of both sides of every call for nothing. The SDK's own switch
 * (`III_DISABLE_TRACE_PAYLOADS`) turns the capture off; we flip it only when telemetry is off and
 * the user has not chosen a value.
 */
export function skipUnrecordedTracePayloads(otelEnabled: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (!otelEnabled && env.III_DISABLE_TRACE_PAYLOADS === undefined) env.III_DISABLE_TRACE_PAYLOADS = '1';
}
