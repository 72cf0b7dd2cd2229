import { parseArgs } from '../../../src/engine/cli';

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
});
