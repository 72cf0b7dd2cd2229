import { collectHeaders, parseJsonBody, parseQuery, splitTarget } from '../../../../../src/engine/workers/http/request';

const json = (text: string): Buffer => Buffer.from(text);

describe('request body parsing', () => {
  it('parses JSON for application/json content types', () => {
    expect(parseJsonBody('application/json; charset=utf-8', json('{"name":"x"}'))).toEqual({ name: 'x' });
  });

  it('leaves the body null for other content types', () => {
    expect(parseJsonBody('text/plain', json('{"name":"x"}'))).toBeNull();
    expect(parseJsonBody(undefined, json('{"name":"x"}'))).toBeNull();
  });

  it('reads empty or invalid JSON as null', () => {
    expect(parseJsonBody('application/json', Buffer.alloc(0))).toBeNull();
    expect(parseJsonBody('application/json', json('{"name":'))).toBeNull();
  });

  it('reads invalid UTF-8 as null', () => {
    expect(parseJsonBody('application/json', Buffer.from([0x22, 0xff, 0x22]))).toBeNull();
  });

  it('reads JSON nested deeper than 127 levels as null without throwing', () => {
    expect(parseJsonBody('application/json', json('['.repeat(128) + ']'.repeat(128)))).toBeNull();
    expect(parseJsonBody('application/json', json('['.repeat(127) + ']'.repeat(127)))).not.toBeNull();
    expect(parseJsonBody('application/json', json('['.repeat(500_000)))).toBeNull();
  });

  it('does not count brackets inside strings as nesting', () => {
    expect(parseJsonBody('application/json', json(JSON.stringify({ s: '['.repeat(500) + '\\"' })))).toEqual({ s: '['.repeat(500) + '\\"' });
  });

  it('keeps a __proto__ key as data, not as a prototype', () => {
    const body = parseJsonBody('application/json', json('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((body as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('query and header collection', () => {
  it('percent-decodes query values, one string per key', () => {
    expect({ ...parseQuery('q=hello%20world&limit=10&tag=a&tag=b&plus=a+b') }).toEqual({
      q: 'hello world',
      limit: '10',
      tag: 'b',
      plus: 'a b',
    });
  });

  it('keeps a __proto__ query key as a plain key', () => {
    const query = parseQuery('__proto__=x');
    expect(query['__proto__']).toBe('x');
    expect(Object.keys(query)).toEqual(['__proto__']);
  });

  it('lower-cases header names and keeps one value', () => {
    expect({ ...collectHeaders(['Content-Type', 'application/json', 'X-Tag', 'a', 'x-tag', 'b']) }).toEqual({
      'content-type': 'application/json',
      'x-tag': 'b',
    });
  });

  it('keeps headers named after Object.prototype members as plain keys and inherits none', () => {
    const headers = collectHeaders(['__proto__', 'a', 'Constructor', 'b', 'toString', 'c', 'Host', 'h']);
    expect(Object.keys(headers)).toEqual(['__proto__', 'constructor', 'tostring', 'host']);
    expect(headers['__proto__']).toBe('a');
    expect(headers['constructor']).toBe('b');
    expect('hasOwnProperty' in headers || 'toString' in headers || 'valueOf' in parseQuery('a=1')).toBe(false);
    expect(JSON.parse(JSON.stringify(headers))).toEqual(JSON.parse('{"__proto__":"a","constructor":"b","tostring":"c","host":"h"}'));
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('splits a request target into raw path and query', () => {
    expect(splitTarget('/a/b%20c?x=1&y=2')).toEqual({ path: '/a/b%20c', query: 'x=1&y=2' });
    expect(splitTarget('/a')).toEqual({ path: '/a', query: '' });
    expect(splitTarget('http://host:1/p?q=1')).toEqual({ path: '/p', query: 'q=1' });
  });
});
