/** Condition, global and per-route middleware, and deadlines of the iii-http pipeline. */
import { deferred } from '../../../../support/wait';
import { startHttp, type HttpHarness } from './support/http-harness';

describe('iii-http condition and middleware', () => {
  let http: HttpHarness;
  const order: string[] = [];

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    http = await startHttp(config);
    order.length = 0;
    http.ctx.handle('handler', () => {
      order.push('handler');
      return { status_code: 200, body: { ok: true } };
    });
  }

  afterEach(async () => {
    await http.close();
  });

  it('refuses with 422 CONDITION_NOT_MET when the condition returns exactly false', async () => {
    await start();
    http.ctx.handle('cond', () => false);
    await http.route({ api_path: 'c', condition_function_id: 'cond' }, 'handler');
    const res = await fetch(`${http.url}/c`);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: 'CONDITION_NOT_MET', message: 'Request condition not met' }, skipped: true });
    expect(order).toEqual([]);
  });

  it('proceeds when the condition returns anything but false', async () => {
    await start();
    http.ctx.handle('cond', () => 0);
    await http.route({ api_path: 'c', condition_function_id: 'cond' }, 'handler');
    expect((await fetch(`${http.url}/c`)).status).toBe(200);
  });

  it('gives the condition the request payload without trigger metadata', async () => {
    await start();
    http.ctx.handle('cond', () => true);
    await http.route({ api_path: 'c/:id', condition_function_id: 'cond' }, 'handler', { metadata: { m: 1 } });
    await fetch(`${http.url}/c/5`);
    const [call] = http.ctx.invocationsOf('cond');
    expect(call.data).toMatchObject({ path: 'c/:id', method: 'GET', body: null });
    expect(call.options?.metadata).toBeUndefined();
  });

  it('answers 500 with the error envelope when the condition fails', async () => {
    await start();
    await http.route({ api_path: 'c', condition_function_id: 'missing-cond' }, 'handler');
    const res = await fetch(`${http.url}/c`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('function_not_found');
  });

  it('runs global middleware by priority, then route middleware in order, then the handler', async () => {
    await start({
      middleware: [
        { function_id: 'g2', priority: 5 },
        { function_id: 'g1', priority: 1 },
      ],
    });
    for (const id of ['g1', 'g2', 'mw1', 'mw2']) {
      http.ctx.handle(id, () => {
        order.push(id);
        return { action: 'continue' };
      });
    }
    await http.route({ api_path: 'm', middleware_function_ids: ['mw1', 'mw2'] }, 'handler');
    expect((await fetch(`${http.url}/m`)).status).toBe(200);
    expect(order).toEqual(['g1', 'g2', 'mw1', 'mw2', 'handler']);
  });

  it('runs global middleware before the condition and route middleware after it', async () => {
    await start({ middleware: [{ function_id: 'g' }] });
    http.ctx.handle('g', () => (order.push('g'), { action: 'continue' }));
    http.ctx.handle('cond', () => (order.push('cond'), true));
    http.ctx.handle('mw', () => (order.push('mw'), { action: 'continue' }));
    await http.route({ api_path: 'o', condition_function_id: 'cond', middleware_function_ids: ['mw'] }, 'handler');
    await fetch(`${http.url}/o`);
    expect(order).toEqual(['g', 'cond', 'mw', 'handler']);
  });

  it('gives middleware the documented input and no metadata', async () => {
    await start();
    http.ctx.handle('mw', () => ({ action: 'continue' }));
    await http.route({ api_path: 'users/:id', middleware_function_ids: ['mw'] }, 'handler', { metadata: { m: 1 } });
    await fetch(`${http.url}/users/42?q=hello`, { headers: { 'X-Token': 't' } });
    const [call] = http.ctx.invocationsOf('mw');
    const input = call.data as { phase: string; request: Record<string, Record<string, string> | string>; context: object };
    expect(input.phase).toBe('preHandler');
    expect(input.context).toEqual({});
    expect(input.request.method).toBe('GET');
    expect({ ...(input.request.path_params as object) }).toEqual({ id: '42' });
    expect({ ...(input.request.query_params as object) }).toEqual({ q: 'hello' });
    expect((input.request.headers as Record<string, string>)['x-token']).toBe('t');
    expect(call.options?.metadata).toBeUndefined();
  });

  it('short-circuits with the response of a middleware that responds', async () => {
    await start();
    http.ctx.handle('deny', () => ({
      action: 'respond',
      response: { status_code: 403, body: { error: 'Forbidden' }, headers: { 'x-reason': 'auth' } },
    }));
    http.ctx.handle('after', () => (order.push('after'), { action: 'continue' }));
    await http.route({ api_path: 'p', middleware_function_ids: ['deny', 'after'] }, 'handler');
    const res = await fetch(`${http.url}/p`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-reason')).toBe('auth');
    expect(await res.json()).toEqual({ error: 'Forbidden' });
    expect(order).toEqual([]);
  });

  it('continues past a middleware with no or an unknown action', async () => {
    await start();
    http.ctx.handle('none', () => undefined).handle('odd', () => ({ action: 'dance' }));
    await http.route({ api_path: 'n', middleware_function_ids: ['none', 'odd'] }, 'handler');
    expect((await fetch(`${http.url}/n`)).status).toBe(200);
    expect(order).toEqual(['handler']);
  });

  it('answers 500 when a middleware fails', async () => {
    await start({ middleware: [{ function_id: 'bad' }] });
    http.ctx.handle('bad', () => {
      throw new Error('mw broke');
    });
    await http.route({ api_path: 'f' }, 'handler');
    const res = await fetch(`${http.url}/f`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('mw broke');
    expect(order).toEqual([]);
  });

  it('answers 504 MIDDLEWARE_TIMEOUT when a middleware overruns default_timeout, and never calls the handler', async () => {
    await start({ default_timeout: 100 });
    const release = deferred<unknown>();
    http.ctx.handle('slow', () => release.promise);
    await http.route({ api_path: 's', middleware_function_ids: ['slow'] }, 'handler');
    const res = await fetch(`${http.url}/s`);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: { code: 'MIDDLEWARE_TIMEOUT', message: 'Middleware timeout' } });
    release.resolve({ action: 'continue' });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
  });

  it('answers an empty 504 when the function overruns default_timeout', async () => {
    await start({ default_timeout: 100 });
    const release = deferred<unknown>();
    http.ctx.handle('slow', () => release.promise);
    await http.route({ api_path: 'slow' }, 'slow');
    const res = await fetch(`${http.url}/slow`);
    expect([res.status, await res.text()]).toEqual([504, '']);
    release.resolve({ body: 'late' });
  });
});
