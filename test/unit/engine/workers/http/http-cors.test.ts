/** CORS of the REST listener: permissive without a `cors` block, restricted with one. */
import { startHttp, type HttpHarness } from './support/http-harness';

const preflight = (origin: string, method = 'POST', headers = 'content-type, authorization'): RequestInit => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('iii-http CORS', () => {
  let http: HttpHarness;
  afterEach(async () => {
    await http.close();
  });

  describe('without a cors block', () => {
    beforeEach(async () => {
      http = await startHttp();
      http.ctx.handle('f', () => ({ body: { ok: true } }));
      await http.route({ api_path: 'items', http_method: 'POST' }, 'f');
    });

    it('allows any origin on ordinary replies', async () => {
      const res = await fetch(`${http.url}/items`, { method: 'POST', headers: { origin: 'https://anything.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('adds the allow-origin header to error replies too', async () => {
      const res = await fetch(`${http.url}/missing`, { headers: { origin: 'https://a.example' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('answers a preflight with 204 and permissive allow headers, without calling the function', async () => {
      const res = await fetch(`${http.url}/items`, preflight('https://a.example'));
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
      expect(http.ctx.invocations).toHaveLength(0);
    });

    it('answers a preflight even for a path without routes', async () => {
      expect((await fetch(`${http.url}/elsewhere`, preflight('https://a.example'))).status).toBe(204);
    });

    it('routes a plain OPTIONS request (no preflight headers) like any method', async () => {
      const res = await fetch(`${http.url}/items`, { method: 'OPTIONS' });
      expect(res.status).toBe(405);
    });
  });

  describe('with a cors block', () => {
    beforeEach(async () => {
      http = await startHttp({ cors: { allowed_origins: ['https://app.example'], allowed_methods: ['GET', 'POST'] } });
      http.ctx.handle('f', () => ({ body: { ok: true } }));
      await http.route({ api_path: 'items' }, 'f');
    });

    it('echoes an allowed origin and varies on origin', async () => {
      const res = await fetch(`${http.url}/items`, { headers: { origin: 'https://app.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('vary')).toContain('origin');
    });

    it('sends no allow-origin to another origin, yet serves the request', async () => {
      const res = await fetch(`${http.url}/items`, { headers: { origin: 'https://evil.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('announces only the configured methods on preflight', async () => {
      const res = await fetch(`${http.url}/items`, preflight('https://app.example', 'DELETE'));
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    });
  });
});
