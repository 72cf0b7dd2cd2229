import { createHmac } from 'node:crypto';
import { HttpInvoker, mapResponse, requestHeaders, signature } from '../../../../../src/engine/workers/http-functions/invoker';
import { UrlPolicy } from '../../../../../src/engine/workers/http-functions/url-policy';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('signature', () => {
  it('is sha256= + hex HMAC of "<timestamp>:<base64 body>"', () => {
    const expected = createHmac('sha256', 'secret')
      .update(`1700000000:${Buffer.from('{"a":1}').toString('base64')}`)
      .digest('hex');
    expect(signature('secret', 1700000000, body('{"a":1}'))).toBe(`sha256=${expected}`);
  });
});

describe('requestHeaders', () => {
  const endpoint = { url: 'u', method: 'POST' as const, timeoutMs: 1, headers: { 'X-Custom': 'v' } };

  it('sends the iii headers, the configured headers and the JSON content type', () => {
    const headers = requestHeaders('svc::fn', endpoint, body('{}'), 1700000000);
    expect(headers).toMatchObject({
      'Content-Type': 'application/json',
      'Content-Length': 2,
      'x-iii-Function-Path': 'svc::fn',
      'x-iii-Timestamp': '1700000000',
      'X-Custom': 'v',
    });
    expect(headers['x-iii-Invocation-ID']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds bearer, api key or hmac auth', () => {
    expect(requestHeaders('f', { ...endpoint, auth: { type: 'bearer', token: 't' } }, body(''), 1).Authorization).toBe('Bearer t');
    expect(requestHeaders('f', { ...endpoint, auth: { type: 'api_key', header: 'x-key', value: 'k' } }, body(''), 1)['x-key']).toBe('k');
    expect(requestHeaders('f', { ...endpoint, auth: { type: 'hmac', secret: 's' } }, body('{}'), 5)['x-iii-Signature']).toBe(
      signature('s', 5, body('{}')),
    );
  });
});

describe('mapResponse', () => {
  it('maps 2xx bodies: empty ⇒ no result, JSON ⇒ value', () => {
    expect(mapResponse({ status: 204, body: body('') })).toBeUndefined();
    expect(mapResponse({ status: 200, body: body('{"ok":true}') })).toEqual({ ok: true });
    expect(mapResponse({ status: 201, body: body('null') })).toBeNull();
  });

  it('refuses a 2xx body that is not JSON with invalid_response', () => {
    expect(() => mapResponse({ status: 200, body: body('<html>') })).toThrow(expect.objectContaining({ code: 'invalid_response' }));
  });

  it('treats 3xx as success with the JSON body if any', () => {
    expect(mapResponse({ status: 302, body: body('<html>moved</html>') })).toBeUndefined();
    expect(mapResponse({ status: 304, body: body('{"cached":1}') })).toEqual({ cached: 1 });
  });

  it('takes code and message from an {"error":{…}} body of a failure', () => {
    expect(() => mapResponse({ status: 502, body: body('{"error":{"code":"UPSTREAM","message":"down"}}') })).toThrow(
      expect.objectContaining({ code: 'UPSTREAM', message: 'down' }),
    );
    expect(() => mapResponse({ status: 400, body: body('{"error":{}}') })).toThrow(
      expect.objectContaining({ code: 'http_error', message: 'HTTP request failed' }),
    );
  });

  it('reports other failures as http_error with the status line', () => {
    expect(() => mapResponse({ status: 500, body: body('boom') })).toThrow(
      expect.objectContaining({ code: 'http_error', message: 'HTTP 500 Internal Server Error' }),
    );
    expect(() => mapResponse({ status: 404, body: body('{"error":"x"}') })).toThrow(
      expect.objectContaining({ message: 'HTTP 404 Not Found' }),
    );
  });
});

describe('HttpInvoker', () => {
  it('does not connect when the name re-resolves to a private address after the check (DNS rebinding)', async () => {
    const security = { urlAllowlist: ['*'], blockPrivateIps: true, requireHttps: false };
    // The check sees a public address; the socket's own lookup then finds loopback.
    const invoker = new HttpInvoker(new UrlPolicy(security, async () => ['93.184.216.34']));
    const endpoint = { url: 'http://localhost:9/hook', method: 'POST' as const, timeoutMs: 2_000, headers: {} };
    await expect(invoker.invoke('f', endpoint, {})).rejects.toMatchObject({
      code: 'http_request_failed',
      message: expect.stringContaining('Private IP blocked: localhost'),
    });
  });
});
