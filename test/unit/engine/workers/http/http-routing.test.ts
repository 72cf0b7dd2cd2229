/** Routing, payload building and response mapping of the iii-http worker, over real HTTP. */
import { startHttp, type HttpHarness } from './support/http-harness';

describe('iii-http routing and payloads over HTTP', () => {
  let http: HttpHarness;
  beforeEach(async () => {
    http = await startHttp();
  });
  afterEach(async () => {
    await http.close();
  });

  it('registers the http trigger type', () => {
    expect([...http.ctx.triggerTypes.keys()]).toEqual(['http']);
  });

  it('reports its URL with the bound port', () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(http.url.endsWith(':0')).toBe(false);
  });

  it('answers an unknown path with a 404 in the one error shape', async () => {
    const res = await fetch(`${http.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'No route matches this path' });
  });

  it('answers a known path with another method with a 405 in the one error shape and an allow header', async () => {
    http.ctx.handle('get', () => ({ body: {} }));
    await http.route({ api_path: 'items' }, 'get');
    const res = await fetch(`${http.url}/items`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: 'Method DELETE is not allowed here' });
  });

  it('builds the payload of engine.md §9.2', async () => {
    http.ctx.handle('items::get', () => ({ status_code: 200, body: { ok: true } }));
    await http.route({ api_path: 'test/items/:id', http_method: 'post' }, 'items::get');
    const res = await fetch(`${http.url}/test/items/a%20b?q=hello%20there&limit=10`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'Yes' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(200);
    const [call] = http.ctx.invocationsOf('items::get');
    const payload = call.data as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['body', 'headers', 'method', 'path', 'path_params', 'query_params', 'trigger']);
    expect({ ...(payload.query_params as object) }).toEqual({ q: 'hello there', limit: '10' });
    expect({ ...(payload.path_params as object) }).toEqual({ id: 'a b' });
    expect(payload.headers).toMatchObject({ 'content-type': 'application/json', 'x-custom': 'Yes' });
    expect(payload.path).toBe('test/items/:id');
    expect(payload.method).toBe('POST');
    expect(payload.body).toEqual({ name: 'x' });
    expect(payload.trigger).toEqual({ type: 'http', path: 'test/items/:id', method: 'POST' });
  });

  it('passes the trigger metadata and trace headers with the invocation', async () => {
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'm' }, 'f', { metadata: { team: 'a' } });
    await fetch(`${http.url}/m`, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'k=v' } });
    expect(http.ctx.invocationsOf('f')[0].options).toEqual({
      metadata: { team: 'a' },
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      baggage: 'k=v',
    });
  });

  it('gives a null body to invalid JSON and to non-JSON content', async () => {
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'b', http_method: 'POST' }, 'f');
    await fetch(`${http.url}/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    await fetch(`${http.url}/b`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' });
    expect(http.ctx.invocationsOf('f').map((c) => (c.data as { body: unknown }).body)).toEqual([null, null]);
  });

  it('prefers a static route over a parameter route beside it', async () => {
    http.ctx.handle('by-id', () => ({ body: 'by-id' })).handle('metrics', () => ({ body: 'metrics' }));
    await http.route({ api_path: 'todos/:id' }, 'by-id');
    await http.route({ api_path: 'todos/metrics' }, 'metrics');
    expect(await (await fetch(`${http.url}/todos/metrics`)).json()).toBe('metrics');
    expect(await (await fetch(`${http.url}/todos/1`)).json()).toBe('by-id');
  });

  it('serves HEAD with the GET route and no body', async () => {
    http.ctx.handle('f', () => ({ body: { big: 'x'.repeat(100) } }));
    await http.route({ api_path: 'h' }, 'f');
    const res = await fetch(`${http.url}/h`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((http.ctx.invocationsOf('f')[0].data as { method: string }).method).toBe('HEAD');
  });

  it('maps a result with status, headers and a raw string body', async () => {
    http.ctx.handle('xml', () => ({ status_code: 201, headers: { 'Content-Type': 'text/xml', 'X-A': '1' }, body: '<a>1</a>' }));
    await http.route({ api_path: 'x' }, 'xml');
    const res = await fetch(`${http.url}/x`);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.headers.get('x-a')).toBe('1');
    expect(await res.text()).toBe('<a>1</a>');
  });

  it('keeps framing its own when a handler sets content-length', async () => {
    http.ctx.handle('liar', () => ({ headers: { 'Content-Length': '999' }, body: { a: 1 } }));
    await http.route({ api_path: 'liar' }, 'liar');
    const res = await fetch(`${http.url}/liar`);
    expect(await res.json()).toEqual({ a: 1 });
  });

  it('passes raw path parameters even with broken percent-encoding', async () => {
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'raw/:id' }, 'f');
    expect((await fetch(`${http.url}/raw/%zz`)).status).toBe(200);
    expect({ ...(http.ctx.invocationsOf('f')[0].data as { path_params: object }).path_params }).toEqual({ id: '%zz' });
  });

  it('answers 200 {} for a non-object result', async () => {
    http.ctx.handle('s', () => 'hello');
    await http.route({ api_path: 's' }, 's');
    const res = await fetch(`${http.url}/s`);
    expect([res.status, await res.text()]).toEqual([200, '{}']);
  });

  it('answers 204 for an absent result', async () => {
    http.ctx.handle('void', () => undefined);
    await http.route({ api_path: 'v' }, 'void');
    const res = await fetch(`${http.url}/v`);
    expect([res.status, await res.text()]).toEqual([204, '']);
  });

  it('answers 500 with the error envelope when the function fails', async () => {
    http.ctx.handle('boom', () => {
      throw new Error('kaput');
    });
    await http.route({ api_path: 'boom' }, 'boom');
    const res = await fetch(`${http.url}/boom`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string; error_id: string } };
    expect(body.error.code).toBe('invocation_failed');
    expect(body.error.message).toBe('kaput');
    expect(body.error.error_id).toMatch(/^[0-9a-f]+$/);
  });

  it('answers 500 function_not_found when the route outlives its function', async () => {
    await http.route({ api_path: 'ghost' }, 'gone');
    const res = await fetch(`${http.url}/ghost`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('function_not_found');
  });

  it('refuses a trigger without api_path', async () => {
    await expect(http.route({ http_method: 'GET' }, 'f')).rejects.toThrow('api_path is required for http triggers');
  });

  it('refuses a conflicting route and keeps the first one serving', async () => {
    http.ctx.handle('first', () => ({ body: 'first' }));
    await http.route({ api_path: 'c/:a/:b' }, 'first');
    await expect(http.route({ api_path: 'c/:b/:a' }, 'second')).rejects.toThrow(/conflicts with already-registered route/);
    expect(await (await fetch(`${http.url}/c/1/2`)).json()).toBe('first');
  });

  it('stops serving a route once its trigger is unregistered', async () => {
    http.ctx.handle('f', () => ({}));
    const trigger = await http.route({ api_path: 'gone-soon' }, 'f');
    await http.unroute(trigger);
    expect((await fetch(`${http.url}/gone-soon`)).status).toBe(404);
  });

  it('keeps a route that another trigger took over when the old trigger unregisters', async () => {
    http.ctx.handle('old', () => ({ body: 'old' })).handle('new', () => ({ body: 'new' }));
    const old = await http.route({ api_path: 'shared' }, 'old');
    await http.route({ api_path: '/shared' }, 'new');
    await http.unroute(old);
    expect(await (await fetch(`${http.url}/shared`)).json()).toBe('new');
  });
});
