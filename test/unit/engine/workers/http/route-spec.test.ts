import { EngineError } from '../../../../../src/engine/core/errors';
import { countSegments, extractPathParams, parseRouteSpec } from '../../../../../src/engine/workers/http/route-spec';

describe('http trigger config → route spec', () => {
  it('requires api_path with the engine message', () => {
    expect(() => parseRouteSpec({ http_method: 'GET' })).toThrow('api_path is required for http triggers');
    expect(() => parseRouteSpec(null)).toThrow(EngineError);
    expect(() => parseRouteSpec({ api_path: 42 })).toThrow('api_path is required for http triggers');
  });

  it('defaults the method to GET and upper-cases it', () => {
    expect(parseRouteSpec({ api_path: 'a' }).method).toBe('GET');
    expect(parseRouteSpec({ api_path: 'a', http_method: 'post' }).method).toBe('POST');
  });

  it('treats the leading slash as optional in the route key', () => {
    expect(parseRouteSpec({ api_path: 'health' }).key).toBe(parseRouteSpec({ api_path: '/health' }).key);
    expect(parseRouteSpec({ api_path: 'users/:id' }).key).toBe('GET:users/:id');
  });

  it('keeps the registered api_path verbatim for the payload', () => {
    expect(parseRouteSpec({ api_path: 'test/items/:id' }).apiPath).toBe('test/items/:id');
    expect(parseRouteSpec({ api_path: '/test/items/:id' }).apiPath).toBe('/test/items/:id');
  });

  it('gives routes that differ only in parameter names the same shape and different keys', () => {
    const a = parseRouteSpec({ api_path: 'a/:listId/:userId' });
    const b = parseRouteSpec({ api_path: 'a/:userId/:listId' });
    expect(a.shape).toBe(b.shape);
    expect(a.key).not.toBe(b.key);
  });

  it('distinguishes shapes by method and by literal segments', () => {
    expect(parseRouteSpec({ api_path: 'a/:id' }).shape).not.toBe(parseRouteSpec({ api_path: 'a/:id', http_method: 'POST' }).shape);
    expect(parseRouteSpec({ api_path: 'users/:id' }).shape).not.toBe(parseRouteSpec({ api_path: 'users/me' }).shape);
  });

  it('accepts unsupported methods but marks them unrouted', () => {
    const spec = parseRouteSpec({ api_path: 'a', http_method: 'TRACE' });
    expect(spec.routed).toBe(false);
    expect(parseRouteSpec({ api_path: 'a', http_method: 'options' }).routed).toBe(true);
  });

  it('refuses wildcards, which the engine does not support', () => {
    expect(() => parseRouteSpec({ api_path: 'files/*' })).toThrow('wildcard');
  });

  it('keeps a colon inside a literal segment literal', () => {
    expect(parseRouteSpec({ api_path: 'v1/a:b' }).pattern).toBe('/v1/a::b');
  });

  it('reads condition and middleware ids, dropping non-strings', () => {
    const spec = parseRouteSpec({ api_path: 'a', condition_function_id: 'cond', middleware_function_ids: ['mw1', 7, 'mw2'] });
    expect(spec.conditionFunctionId).toBe('cond');
    expect(spec.middlewareFunctionIds).toEqual(['mw1', 'mw2']);
  });
});

describe('path parameter extraction', () => {
  it('takes segments by position, percent-decoded', () => {
    const spec = parseRouteSpec({ api_path: 'users/:user/posts/:post' });
    expect({ ...extractPathParams(spec, '/users/a%20b/posts/%E2%9C%93') }).toEqual({ user: 'a b', post: '✓' });
  });

  it('keeps a segment whose percent-encoding is broken as sent', () => {
    const spec = parseRouteSpec({ api_path: 'a/:id' });
    expect({ ...extractPathParams(spec, '/a/100%') }).toEqual({ id: '100%' });
  });

  it('yields nothing when the segment counts differ', () => {
    const spec = parseRouteSpec({ api_path: 'a/:id' });
    expect({ ...extractPathParams(spec, '/a/1/extra') }).toEqual({});
  });

  it('ignores empty segments anywhere in the path (doubled, leading and trailing slashes)', () => {
    const spec = parseRouteSpec({ api_path: ':org/x/:repo' });
    expect({ ...extractPathParams(spec, '//acme//x/tools/') }).toEqual({ org: 'acme', repo: 'tools' });
    expect({ ...extractPathParams(spec, 'acme/x/tools') }).toEqual({ org: 'acme', repo: 'tools' });
    expect({ ...extractPathParams(spec, '/acme/x') }).toEqual({});
  });

  it('stores a parameter named __proto__ as a plain key', () => {
    const spec = parseRouteSpec({ api_path: 'a/:__proto__' });
    const params = extractPathParams(spec, '/a/x');
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(params['__proto__']).toBe('x');
  });
});

describe('segment counting', () => {
  it('counts non-empty segments only', () => {
    expect(countSegments('')).toBe(0);
    expect(countSegments('/')).toBe(0);
    expect(countSegments('//')).toBe(0);
    expect(countSegments('/a')).toBe(1);
    expect(countSegments('a/b')).toBe(2);
    expect(countSegments('/a//b/')).toBe(2);
  });
});
