import { quietSdkDebugOutput } from '../../../src/framework/sdk-console';

/** A console whose debug lines are recorded. */
function recordingConsole(): { target: Console; lines: unknown[][] } {
  const lines: unknown[][] = [];
  const target = { debug: (...args: unknown[]) => lines.push(args) } as unknown as Console;
  return { target, lines };
}

describe('quietSdkDebugOutput', () => {
  it("drops iii-sdk's [iii] and [OTel] debug lines and keeps every other debug line", () => {
    const { target, lines } = recordingConsole();
    quietSdkDebugOutput({}, target);
    target.debug('[iii] Worker registered with ID:', 'abc');
    target.debug('[OTel] OpenTelemetry is disabled.');
    target.debug('[iii-state] my own line');
    target.debug({ not: 'a string' });
    expect(lines).toEqual([['[iii-state] my own line'], [{ not: 'a string' }]]);
  });

  it.each(['debug', 'TRACE'])('keeps them when III_LOG_LEVEL=%s', (level) => {
    const { target, lines } = recordingConsole();
    quietSdkDebugOutput({ III_LOG_LEVEL: level }, target);
    target.debug('[iii] Worker registered with ID:', 'abc');
    expect(lines).toEqual([['[iii] Worker registered with ID:', 'abc']]);
  });

  it('installs its filter once however often it is called', () => {
    const { target, lines } = recordingConsole();
    quietSdkDebugOutput({}, target);
    const installed = target.debug;
    quietSdkDebugOutput({}, target);
    expect(target.debug).toBe(installed);
    target.debug('kept');
    expect(lines).toEqual([['kept']]);
  });
});
