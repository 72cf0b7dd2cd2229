import { parseInvocation } from '../../../../../src/engine/workers/http-functions/invocation';

describe('parseInvocation', () => {
  it('defaults to POST, 30 s and no headers', () => {
    expect(parseInvocation({ url: 'https://x.test/hook' }, {})).toEqual({
      url: 'https://x.test/hook',
      method: 'POST',
      timeoutMs: 30_000,
      headers: {},
    });
  });

  it('reads method, timeout and headers', () => {
    expect(parseInvocation({ url: 'https://x.test', method: 'put', timeout_ms: 1500, headers: { 'X-A': '1' } }, {})).toEqual({
      url: 'https://x.test',
      method: 'PUT',
      timeoutMs: 1500,
      headers: { 'X-A': '1' },
    });
  });

  it('resolves auth secrets from the environment', () => {
    const env = { HOOK_SECRET: 's', HOOK_TOKEN: 't', HOOK_KEY: 'k' };
    expect(parseInvocation({ url: 'u', auth: { type: 'hmac', secret_key: 'HOOK_SECRET' } }, env).auth).toEqual({
      type: 'hmac',
      secret: 's',
    });
    expect(parseInvocation({ url: 'u', auth: { type: 'bearer', token_key: 'HOOK_TOKEN' } }, env).auth).toEqual({
      type: 'bearer',
      token: 't',
    });
    expect(parseInvocation({ url: 'u', auth: { type: 'api_key', header: 'x-api-key', value_key: 'HOOK_KEY' } }, env).auth).toEqual({
      type: 'api_key',
      header: 'x-api-key',
      value: 'k',
    });
  });

  it('stores a __proto__ header as a plain header without touching the prototype', () => {
    const raw = JSON.parse('{"url":"u","headers":{"__proto__":"x"}}') as Record<string, unknown>;
    const { headers } = parseInvocation(raw, {});
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toBe('x');
  });

  it.each([
    [{}, 'url is required'],
    [{ url: 'u', method: 'TRACE' }, 'unsupported method'],
    [{ url: 'u', timeout_ms: -1 }, 'timeout_ms must be a positive number'],
    [{ url: 'u', timeout_ms: '10' }, 'timeout_ms must be a positive number'],
    [{ url: 'u', headers: ['a'] }, 'headers must be an object'],
    [{ url: 'u', headers: { 'bad name': 'x' } }, 'invalid header name'],
    [{ url: 'u', headers: { 'x-a': 'line\nbreak' } }, 'header x-a must be a string'],
    [{ url: 'u', headers: { 'x-a': 1 } }, 'header x-a must be a string'],
    [{ url: 'u', auth: { type: 'bearer', token_key: 'MISSING_VAR' } }, 'environment variable MISSING_VAR'],
    [{ url: 'u', auth: { type: 'basic' } }, 'unknown auth type'],
    [{ url: 'u', auth: { type: 'api_key', value_key: 'K' } }, 'auth.header must be a header name'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseInvocation(raw, { K: 'v' })).toThrow(
      expect.objectContaining({ code: 'invalid_invocation', message: expect.stringContaining(message) }),
    );
  });
});
