import { EngineError } from '../../../../../src/engine/core/errors';
import { parseRouteSpec } from '../../../../../src/engine/workers/http/route-spec';
import { HTTP_ROUTE_CONFLICT, RouteTable, type HttpRoute } from '../../../../../src/engine/workers/http/route-table';

function route(triggerId: string, config: Record<string, unknown>, functionId = `fn-${triggerId}`): HttpRoute {
  return { spec: parseRouteSpec(config), triggerId, workerId: undefined, functionId, metadata: undefined };
}

describe('RouteTable', () => {
  let table: RouteTable;
  beforeEach(() => {
    table = new RouteTable();
  });

  it('matches a parameter route', () => {
    table.add(route('t1', { api_path: 'todos/:id' }));
    expect(table.match('GET', '/todos/42')?.triggerId).toBe('t1');
  });

  it('prefers a static segment over a parameter beside it', () => {
    table.add(route('param', { api_path: 'todos/:id' }));
    table.add(route('static', { api_path: 'todos/metrics' }));
    expect(table.match('GET', '/todos/metrics')?.triggerId).toBe('static');
    expect(table.match('GET', '/todos/7')?.triggerId).toBe('param');
  });

  it('does not normalise trailing slashes', () => {
    table.add(route('t1', { api_path: 'health' }));
    expect(table.match('GET', '/health/')).toBeNull();
  });

  it('matches only the registered method', () => {
    table.add(route('t1', { api_path: 'items', http_method: 'POST' }));
    expect(table.match('GET', '/items')).toBeNull();
    expect(table.match('POST', '/items')?.triggerId).toBe('t1');
  });

  it('serves HEAD with the GET route when no HEAD route exists', () => {
    table.add(route('get', { api_path: 'items' }));
    expect(table.match('HEAD', '/items')?.triggerId).toBe('get');
    table.add(route('head', { api_path: 'items', http_method: 'HEAD' }));
    expect(table.match('HEAD', '/items')?.triggerId).toBe('head');
  });

  it('replaces the binding when the same key is registered again', () => {
    table.add(route('old', { api_path: 'a' }, 'fn-old'));
    table.add(route('new', { api_path: '/a' }, 'fn-new'));
    expect(table.match('GET', '/a')?.functionId).toBe('fn-new');
    expect(table.size).toBe(1);
  });

  it('refuses a same-shape route with other parameter names, with the engine message', () => {
    table.add(route('first', { api_path: 'a/:listId/:userId' }));
    let caught: unknown;
    try {
      table.add(route('second', { api_path: 'a/:userId/:listId' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe(HTTP_ROUTE_CONFLICT);
    expect((caught as EngineError).message).toBe(
      "Route 'GET a/:userId/:listId' conflicts with already-registered route 'GET a/:listId/:userId': " +
        'routes with identical structure but different path-parameter names are not supported',
    );
    expect(table.match('GET', '/a/1/2')?.triggerId).toBe('first');
  });

  it('lets the same shape exist under another method', () => {
    table.add(route('get', { api_path: 'a/:x' }));
    table.add(route('post', { api_path: 'a/:y', http_method: 'POST' }));
    expect(table.match('POST', '/a/1')?.triggerId).toBe('post');
  });

  it('removes a route only for the trigger that still owns it', () => {
    table.add(route('old', { api_path: 'a' }));
    table.add(route('new', { api_path: 'a' }));
    expect(table.remove('old')).toBe(false);
    expect(table.match('GET', '/a')?.triggerId).toBe('new');
    expect(table.remove('new')).toBe(true);
    expect(table.match('GET', '/a')).toBeNull();
  });

  it('does not remove a route on behalf of another worker', () => {
    table.add({ ...route('t1', { api_path: 'a' }), workerId: 'w1' });
    expect(table.remove('t1', 'w2')).toBe(false);
    expect(table.remove('t1', 'w1')).toBe(true);
  });

  it('moves a trigger id re-registered with another path', () => {
    table.add(route('t1', { api_path: 'old' }));
    table.add(route('t1', { api_path: 'new' }));
    expect(table.match('GET', '/old')).toBeNull();
    expect(table.match('GET', '/new')?.triggerId).toBe('t1');
  });

  it('lets a trigger change its own parameter names', () => {
    table.add(route('t1', { api_path: 'a/:x' }));
    table.add(route('t1', { api_path: 'a/:y' }));
    expect(table.match('GET', '/a/1')?.spec.apiPath).toBe('a/:y');
  });

  it('lists the methods a path has, HEAD implied by GET', () => {
    table.add(route('get', { api_path: 'a/:id' }));
    table.add(route('del', { api_path: 'a/:id', http_method: 'DELETE' }));
    expect(table.allowedMethods('/a/1')).toEqual(['GET', 'DELETE', 'HEAD']);
    expect(table.allowedMethods('/b')).toEqual([]);
  });

  it('never routes unsupported methods', () => {
    table.add(route('t1', { api_path: 'a', http_method: 'TRACE' }));
    expect(table.match('TRACE', '/a')).toBeNull();
    expect(table.size).toBe(1);
  });

  it('does not match an empty parameter segment', () => {
    table.add(route('t1', { api_path: 'a/:id' }));
    expect(table.match('GET', '/a/')).toBeNull();
  });

  it('matches parameters with broken percent-encoding', () => {
    table.add(route('t1', { api_path: 'a/:id' }));
    expect(table.match('GET', '/a/%zz')?.triggerId).toBe('t1');
    expect(table.match('GET', '/a/%E0%A4%A')?.triggerId).toBe('t1');
  });

  it('matches a static route written with percent-encoding', () => {
    table.add(route('t1', { api_path: 'caf\u00e9' }));
    expect(table.match('GET', '/caf%C3%A9')?.triggerId).toBe('t1');
  });

  it('matches long parameter values', () => {
    table.add(route('t1', { api_path: 'a/:id' }));
    expect(table.match('GET', `/a/${'x'.repeat(5000)}`)?.triggerId).toBe('t1');
  });

  it('finds a route among 1,000 as fast as among one', () => {
    const single = new RouteTable();
    single.add(route('only', { api_path: 'r/999/:id' }));
    for (let i = 0; i < 1000; i++) table.add(route(`t${i}`, { api_path: `r/${i}/:id` }));
    // Best of many interleaved runs, so a busy machine's pauses do not count against either side.
    const run = (t: RouteTable): number => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) t.match('GET', '/r/999/x');
      return Number(process.hrtime.bigint() - start);
    };
    let bestSingle = Infinity;
    let bestMany = Infinity;
    for (let round = 0; round < 25; round++) {
      bestSingle = Math.min(bestSingle, run(single));
      bestMany = Math.min(bestMany, run(table));
    }
    expect(table.match('GET', '/r/999/x')?.triggerId).toBe('t999');
    // A linear scan would be hundreds of times slower; a radix tree stays within a small factor.
    expect(bestMany).toBeLessThan(bestSingle * 20);
  });
});
