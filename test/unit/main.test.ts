import { optionsFromEnv } from '../../src/main';

describe('optionsFromEnv', () => {
  it('defaults to the embedded engine with data in ./data', () => {
    expect(optionsFromEnv({})).toEqual({ dataDir: './data' });
  });

  it('reads III_URL, ports, data dir and host', () => {
    expect(
      optionsFromEnv({
        III_URL: 'ws://engine:49134',
        III_HTTP_PORT: '8080',
        III_STREAM_PORT: '8081',
        III_WORKER_PORT: '8082',
        III_DATA_DIR: '/var/todos',
        III_HOST: '127.0.0.1',
      }),
    ).toEqual({
      engineUrl: 'ws://engine:49134',
      httpPort: 8080,
      streamPort: 8081,
      workerPort: 8082,
      dataDir: '/var/todos',
      host: '127.0.0.1',
    });
  });

  it('prefers PORT over III_HTTP_PORT', () => {
    expect(optionsFromEnv({ PORT: '9000', III_HTTP_PORT: '8080' }).httpPort).toBe(9000);
  });

  it('treats empty variables as unset', () => {
    expect(optionsFromEnv({ III_URL: '', PORT: ' ' })).toEqual({ dataDir: './data' });
  });

  it('refuses a port that is not a number, naming the variable', () => {
    expect(() => optionsFromEnv({ III_STREAM_PORT: 'abc' })).toThrow(/III_STREAM_PORT/);
    expect(() => optionsFromEnv({ PORT: '70000' })).toThrow(/PORT/);
  });
});
