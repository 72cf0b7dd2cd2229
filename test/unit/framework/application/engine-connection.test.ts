import { connectEngine } from '../../../../src/framework/application/engine-connection';

describe('connectEngine', () => {
  const saved = { url: process.env.III_URL, http: process.env.III_HTTP_URL, stream: process.env.III_STREAM_URL };
  afterEach(() => {
    for (const [key, value] of [
      ['III_URL', saved.url],
      ['III_HTTP_URL', saved.http],
      ['III_STREAM_URL', saved.stream],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('only connects when given a URL, owning nothing to close', async () => {
    delete process.env.III_HTTP_URL;
    delete process.env.III_STREAM_URL;
    expect(await connectEngine('ws://engine:49134', undefined)).toEqual({
      urls: { worker: 'ws://engine:49134' },
      close: null,
      settle: null,
    });
  });

  it('falls back to III_URL (and III_HTTP_URL / III_STREAM_URL) from the environment', async () => {
    process.env.III_URL = 'ws://env:1';
    process.env.III_HTTP_URL = 'http://env:2';
    process.env.III_STREAM_URL = 'ws://env:3';
    expect(await connectEngine(undefined, undefined)).toEqual({
      urls: { worker: 'ws://env:1', http: 'http://env:2', stream: 'ws://env:3' },
      close: null,
      settle: null,
    });
  });

  it('prefers the explicit URL over III_URL', async () => {
    process.env.III_URL = 'ws://env:1';
    expect((await connectEngine('ws://explicit:1', undefined)).urls.worker).toBe('ws://explicit:1');
  });

  it('wraps an embedded engine start failure with a code', async () => {
    delete process.env.III_URL;
    await expect(
      connectEngine(undefined, { config: '/nonexistent/config.yaml', storage: 'memory', ephemeralPorts: true }),
    ).rejects.toMatchObject({
      code: 'ENGINE_START_FAILED',
    });
  });
});
