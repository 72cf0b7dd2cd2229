import { parseArgs } from '../../../src/engine/cli';
import { semanticsFromEnv } from '../../../src/engine/core/semantics';

describe('engine CLI arguments', () => {
  it('maps flags to engine options', () => {
    expect(
      parseArgs([
        '--config',
        'c.yaml',
        '--data',
        '/tmp/d',
        '--host',
        '127.0.0.1',
        '--worker-port',
        '4000',
        '--http-port',
        '0',
        '--stream-port',
        '4002',
      ]),
    ).toEqual({ config: 'c.yaml', dataDir: '/tmp/d', host: '127.0.0.1', ports: { worker: 4000, http: 0, stream: 4002 } });
    expect(parseArgs(['--memory', '--ephemeral'])).toEqual({ storage: 'memory', ephemeralPorts: true });
    expect(parseArgs([])).toEqual({});
  });

  it('rejects unknown flags, missing values and bad ports with code CLI_USAGE', () => {
    expect(() => parseArgs(['--nope'])).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
    expect(() => parseArgs(['--config'])).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
    expect(() => parseArgs(['--worker-port', '70000'])).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
    expect(() => parseArgs(['--data', '--memory'])).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
  });

  it('takes the engine semantics from --semantics, refusing unknown names', () => {
    expect(parseArgs(['--semantics', 'iii-0.22'])).toEqual({ semantics: 'iii-0.22' });
    expect(() => parseArgs(['--semantics', 'iii-0.21'])).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
  });
});

describe('III_ENGINE_SEMANTICS', () => {
  it('picks the semantics when no option does; empty or unset means embedded; a typo fails', () => {
    expect(semanticsFromEnv({ III_ENGINE_SEMANTICS: 'iii-0.22' })).toBe('iii-0.22');
    expect(semanticsFromEnv({ III_ENGINE_SEMANTICS: '' })).toBe('embedded');
    expect(semanticsFromEnv({})).toBe('embedded');
    expect(() => semanticsFromEnv({ III_ENGINE_SEMANTICS: 'real' })).toThrow("unknown engine semantics 'real'");
  });
});
