import { EngineError } from '../../../../src/engine/core/errors';
import type { Json } from '../../../../src/engine/core/types';
import { applyUpdateOps, parseUpdateOps, UPDATE_OP_DOC_URL } from '../../../../src/engine/lib/update-ops';

/** Applies ops and asserts that none failed. */
function run(current: Json | undefined, ops: unknown[]): Json {
  const { value, errors } = applyUpdateOps(current, ops);
  expect(errors).toEqual([]);
  return value;
}

/** Applies ops and returns the error codes. */
function codes(current: Json | undefined, ops: unknown[]): string[] {
  return applyUpdateOps(current, ops).errors.map((e) => e.code);
}

function deepObject(depth: number): Json {
  let value: Json = {};
  for (let i = 1; i < depth; i++) value = { n: value };
  return value;
}

describe('parseUpdateOps', () => {
  function parseError(ops: unknown): EngineError {
    try {
      parseUpdateOps(ops, 'state::update');
    } catch (err) {
      return err as EngineError;
    }
    throw new Error('expected parseUpdateOps to throw');
  }

  it('accepts every well-formed op and ignores unknown keys', () => {
    const ops = [
      { type: 'set', path: 'a', value: 1, extra: true },
      { type: 'set', path: '' },
      { type: 'merge', value: {} },
      { type: 'merge', path: ['a', 'b'], value: {} },
      { type: 'increment', path: 'a', by: 2 },
      { type: 'decrement', path: 'a', by: -2 },
      { type: 'append', path: 'a', value: null },
      { type: 'remove', path: 'a' },
    ];
    expect(parseUpdateOps(ops, 'state::update')).toEqual(ops);
  });

  it('rejects a non-integer `by` with deserialization_error naming the function', () => {
    const err = parseError([{ type: 'increment', path: 'a', by: 1.5 }]);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('deserialization_error');
    expect(err.message).toMatch(/^Failed to deserialize input for state::update: /);
  });

  it.each([
    ['a non-array ops', { type: 'set' }],
    ['an unknown op type', [{ type: 'multiply', path: 'a' }]],
    ['a missing type', [{ path: 'a' }]],
    ['a non-object op', ['set']],
    ['a set without path', [{ type: 'set', value: 1 }]],
    ['a numeric set path', [{ type: 'set', path: 3 }]],
    ['a string `by`', [{ type: 'decrement', path: 'a', by: '1' }]],
    ['a missing `by`', [{ type: 'increment', path: 'a' }]],
    ['a merge without value', [{ type: 'merge', path: 'a' }]],
    ['an append without value', [{ type: 'append', path: 'a' }]],
    ['a merge path with a number segment', [{ type: 'merge', path: ['a', 1], value: {} }]],
  ])('rejects %s', (_name, ops) => {
    expect(parseError(ops).code).toBe('deserialization_error');
  });

  it('makes applyUpdateOps throw for a malformed op instead of skipping it', () => {
    expect(() => applyUpdateOps({}, [{ type: 'increment', path: 'a', by: 0.5 }])).toThrow(EngineError);
  });
});

describe('applyUpdateOps: set', () => {
  it('sets a first-level field', () => {
    expect(run({ count: 0, name: 'initial' }, [{ type: 'set', path: 'count', value: 5 }])).toEqual({
      count: 5,
      name: 'initial',
    });
  });

  it('treats a dotted path as one literal key', () => {
    expect(run({}, [{ type: 'set', path: 'a.b', value: 1 }])).toEqual({ 'a.b': 1 });
  });

  it('replaces the whole value for the empty path', () => {
    expect(run({ a: 1 }, [{ type: 'set', path: '', value: [1, 2] }])).toEqual([1, 2]);
  });

  it('stores null when value is missing', () => {
    expect(run({ a: 1 }, [{ type: 'set', path: 'a' }])).toEqual({ a: null });
    expect(run({ a: 1 }, [{ type: 'set', path: '' }])).toBeNull();
  });

  it('fails with set.target_not_object on a non-object root and keeps the value', () => {
    const result = applyUpdateOps(7, [{ type: 'set', path: 'a', value: 1 }]);
    expect(result.value).toBe(7);
    expect(result.errors).toEqual([
      { op_index: 0, code: 'set.target_not_object', message: expect.any(String), doc_url: UPDATE_OP_DOC_URL },
    ]);
  });

  it('starts from {} when the key is missing', () => {
    expect(run(undefined, [{ type: 'set', path: 'a', value: 1 }])).toEqual({ a: 1 });
  });
});

describe('applyUpdateOps: merge', () => {
  it('shallow-merges into the root for an absent, empty or [] path', () => {
    for (const path of [undefined, '', []]) {
      expect(run({ a: 1, b: { x: 1 } }, [{ type: 'merge', path, value: { b: { y: 2 }, c: 3 } }])).toEqual({
        a: 1,
        b: { y: 2 },
        c: 3,
      });
    }
  });

  it('silently ignores a root merge into a non-object', () => {
    const result = applyUpdateOps([1], [{ type: 'merge', value: { a: 1 } }]);
    expect(result).toEqual({ value: [1], errors: [] });
  });

  it('merges into a single literal segment, keeping dots', () => {
    const value = run({}, [
      { type: 'merge', path: 'session-abc', value: { author: 'alice' } },
      { type: 'merge', path: 'session-abc', value: { ts: 'chunk' } },
    ]);
    expect(value).toEqual({ 'session-abc': { author: 'alice', ts: 'chunk' } });
    expect(run({}, [{ type: 'merge', path: 'a.b', value: { c: 1 } }])).toEqual({ 'a.b': { c: 1 } });
  });

  it('walks nested segments, preserving siblings', () => {
    const current = { sessions: { abc: { a: 1 }, other: { keep: true } }, top: 1 };
    expect(run(current, [{ type: 'merge', path: ['sessions', 'abc'], value: { b: 2 } }])).toEqual({
      sessions: { abc: { a: 1, b: 2 }, other: { keep: true } },
      top: 1,
    });
  });

  it('creates missing intermediates and replaces non-object ones with {}', () => {
    expect(run({ a: 5 }, [{ type: 'merge', path: ['a', 'b', 'c'], value: { d: 1 } }])).toEqual({
      a: { b: { c: { d: 1 } } },
    });
    expect(run({ a: [1] }, [{ type: 'merge', path: ['a'], value: { d: 1 } }])).toEqual({ a: { d: 1 } });
  });

  it('rejects a non-object value with merge.value.not_an_object', () => {
    expect(codes({}, [{ type: 'merge', value: [1] }])).toEqual(['merge.value.not_an_object']);
    expect(codes({}, [{ type: 'merge', value: 'x' }])).toEqual(['merge.value.not_an_object']);
  });

  it('accepts 1024 top-level keys and rejects 1025 with merge.value.too_many_keys', () => {
    const keys = (n: number): Json => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(codes({}, [{ type: 'merge', value: keys(1024) }])).toEqual([]);
    expect(codes({}, [{ type: 'merge', value: keys(1025) }])).toEqual(['merge.value.too_many_keys']);
  });

  it('accepts depth 16 and rejects depth 17 with merge.value.too_deep', () => {
    expect(codes({}, [{ type: 'merge', value: deepObject(16) }])).toEqual([]);
    expect(codes({}, [{ type: 'merge', value: deepObject(17) }])).toEqual(['merge.value.too_deep']);
  });

  it('counts arrays as nesting levels', () => {
    let value: Json = [];
    for (let i = 1; i < 16; i++) value = [value];
    expect(codes({}, [{ type: 'merge', value: { a: value } }])).toEqual(['merge.value.too_deep']);
  });

  it('rejects a very deep value without overflowing the stack', () => {
    const value = JSON.parse('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)) as Json;
    expect(codes({}, [{ type: 'merge', value }])).toEqual(['merge.value.too_deep']);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects a top-level %s key with merge.value.proto_polluted', (key) => {
    const value = JSON.parse(`{"${key}": {"polluted": true}}`) as Json;
    const result = applyUpdateOps({}, [{ type: 'merge', value }]);
    expect(result.errors.map((e) => e.code)).toEqual(['merge.value.proto_polluted']);
    expect(result.value).toEqual({});
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps a nested __proto__ key as plain data without touching prototypes', () => {
    const value = JSON.parse('{"a": {"__proto__": {"polluted": true}}}') as Json;
    const result = run({}, [{ type: 'merge', value }]) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(result['a'])).toBe(Object.prototype);
    expect(Object.keys(result['a'] as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('uses merge.path.* codes for path validation', () => {
    expect(codes({}, [{ type: 'merge', path: ['a', '__proto__'], value: {} }])).toEqual(['merge.path.proto_polluted']);
    expect(codes({}, [{ type: 'merge', path: ['a', ''], value: {} }])).toEqual(['merge.path.empty_segment']);
    expect(codes({}, [{ type: 'merge', path: Array(33).fill('a'), value: {} }])).toEqual(['merge.path.too_deep']);
    expect(codes({}, [{ type: 'merge', path: ['x'.repeat(257)], value: {} }])).toEqual(['merge.path.segment_too_long']);
  });
});

describe('applyUpdateOps: path validation', () => {
  it('accepts 32 segments and a 256-byte segment', () => {
    expect(codes({}, [{ type: 'append', path: Array(32).fill('a'), value: 1 }])).toEqual([]);
    expect(codes({}, [{ type: 'set', path: 'x'.repeat(256), value: 1 }])).toEqual([]);
  });

  it('measures segment length in UTF-8 bytes', () => {
    // 'é' is 2 bytes: 129 of them are 258 bytes.
    expect(codes({}, [{ type: 'set', path: 'é'.repeat(129), value: 1 }])).toEqual(['set.path.segment_too_long']);
  });

  it.each(['set', 'increment', 'decrement', 'remove'])('prefixes path codes with the op name (%s)', (type) => {
    expect(codes({}, [{ type, path: '__proto__', value: 1, by: 1 }])).toEqual([`${type}.path.proto_polluted`]);
    expect(codes({}, [{ type, path: 'constructor', value: 1, by: 1 }])).toEqual([`${type}.path.proto_polluted`]);
  });

  it('reports append path errors with append.* codes', () => {
    expect(codes({}, [{ type: 'append', path: ['a', ''], value: 1 }])).toEqual(['append.path.empty_segment']);
    expect(codes({}, [{ type: 'append', path: Array(33).fill('a'), value: 1 }])).toEqual(['append.path.too_deep']);
    expect(codes({}, [{ type: 'append', path: 'prototype', value: 1 }])).toEqual(['append.path.proto_polluted']);
  });

  it('never sets Object.prototype through a set path', () => {
    const result = applyUpdateOps({}, [{ type: 'set', path: '__proto__', value: { polluted: true } }]);
    expect(result.value).toEqual({});
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('applyUpdateOps: increment and decrement', () => {
  it('adds to existing numbers and initialises missing fields', () => {
    expect(
      run({ count: 2 }, [
        { type: 'increment', path: 'count', by: 3 },
        { type: 'increment', path: 'missing', by: 3 },
        { type: 'decrement', path: 'gone', by: 3 },
      ]),
    ).toEqual({ count: 5, missing: 3, gone: -3 });
  });

  it('keeps floats as floats', () => {
    expect(
      run({ n: 1.5 }, [
        { type: 'increment', path: 'n', by: 2 },
        { type: 'decrement', path: 'n', by: 1 },
      ]),
    ).toEqual({
      n: 2.5,
    });
  });

  it('sets a missing key to by / -by at the root', () => {
    expect(run(undefined, [{ type: 'increment', path: '', by: 4 }])).toBe(4);
    expect(run(undefined, [{ type: 'decrement', path: '', by: 4 }])).toBe(-4);
  });

  it('adds to a root number', () => {
    expect(
      run(10, [
        { type: 'increment', path: '', by: 5 },
        { type: 'decrement', path: '', by: 3 },
      ]),
    ).toBe(12);
  });

  it('reports <op>.not_number for a non-number root of an existing key', () => {
    expect(codes({}, [{ type: 'increment', path: '', by: 1 }])).toEqual(['increment.not_number']);
    expect(codes('x', [{ type: 'decrement', path: '', by: 1 }])).toEqual(['decrement.not_number']);
  });

  it('reports <op>.not_number for a null or string field', () => {
    const result = applyUpdateOps({ a: null, b: 'x' }, [
      { type: 'increment', path: 'a', by: 1 },
      { type: 'decrement', path: 'b', by: 1 },
    ]);
    expect(result.value).toEqual({ a: null, b: 'x' });
    expect(result.errors.map((e) => [e.op_index, e.code])).toEqual([
      [0, 'increment.not_number'],
      [1, 'decrement.not_number'],
    ]);
  });

  it('reports <op>.target_not_object for a field path on a non-object', () => {
    expect(codes([1], [{ type: 'increment', path: 'a', by: 1 }])).toEqual(['increment.target_not_object']);
    expect(codes(3, [{ type: 'decrement', path: 'a', by: 1 }])).toEqual(['decrement.target_not_object']);
  });

  it('does not read inherited properties as fields', () => {
    expect(run({}, [{ type: 'increment', path: 'toString', by: 1 }])).toEqual({ toString: 1 });
  });
});

describe('applyUpdateOps: append', () => {
  it('pushes onto an array field', () => {
    expect(run({ events: [] }, [{ type: 'append', path: 'events', value: { kind: 'chunk' } }])).toEqual({
      events: [{ kind: 'chunk' }],
    });
  });

  it('concatenates onto a string field', () => {
    expect(run({ transcript: 'hello' }, [{ type: 'append', path: 'transcript', value: ' world' }])).toEqual({
      transcript: 'hello world',
    });
  });

  it('reports append.type_mismatch for a non-string onto a string, and keeps the value', () => {
    const result = applyUpdateOps({ t: 'hello' }, [{ type: 'append', path: 't', value: 1 }]);
    expect(result.value).toEqual({ t: 'hello' });
    expect(result.errors.map((e) => e.code)).toEqual(['append.type_mismatch']);
  });

  it('reports append.type_mismatch for an object or number target', () => {
    expect(codes({ e: {} }, [{ type: 'append', path: 'e', value: 'x' }])).toEqual(['append.type_mismatch']);
    expect(codes({ e: 1 }, [{ type: 'append', path: 'e', value: 'x' }])).toEqual(['append.type_mismatch']);
  });

  it('replaces a null field with the string or a one-element list', () => {
    expect(
      run({ a: null, b: null }, [
        { type: 'append', path: 'a', value: 'x' },
        { type: 'append', path: 'b', value: 1 },
      ]),
    ).toEqual({ a: 'x', b: [1] });
  });

  it('initialises a missing single-segment field by value kind', () => {
    expect(
      run({}, [
        { type: 'append', path: 'transcript', value: 'hello' },
        { type: 'append', path: 'events', value: { kind: 'chunk' } },
      ]),
    ).toEqual({ transcript: 'hello', events: [{ kind: 'chunk' }] });
  });

  it('initialises a missing nested leaf as a list even for strings', () => {
    expect(run({}, [{ type: 'append', path: ['a', 'b'], value: 'x' }])).toEqual({ a: { b: ['x'] } });
  });

  it('appends to an existing nested leaf and replaces non-object intermediates', () => {
    expect(run({ a: { b: 'x' } }, [{ type: 'append', path: ['a', 'b'], value: 'y' }])).toEqual({ a: { b: 'xy' } });
    expect(run({ a: 3 }, [{ type: 'append', path: ['a', 'b'], value: 1 }])).toEqual({ a: { b: [1] } });
  });

  it('treats a missing key as null at the root', () => {
    expect(run(undefined, [{ type: 'append', value: 'hello' }])).toBe('hello');
    expect(run(undefined, [{ type: 'append', path: [], value: { kind: 'chunk' } }])).toEqual([{ kind: 'chunk' }]);
  });

  it('appends to a root array or string and rejects a root object', () => {
    expect(run([1], [{ type: 'append', path: '', value: 2 }])).toEqual([1, 2]);
    expect(run('a', [{ type: 'append', value: 'b' }])).toBe('ab');
    expect(codes({}, [{ type: 'append', value: 1 }])).toEqual(['append.type_mismatch']);
  });

  it('reports append.target_not_object for a field path on a non-object root', () => {
    expect(codes([1], [{ type: 'append', path: 'a', value: 1 }])).toEqual(['append.target_not_object']);
    expect(codes('s', [{ type: 'append', path: ['a', 'b'], value: 1 }])).toEqual(['append.target_not_object']);
  });
});

describe('applyUpdateOps: remove', () => {
  it('deletes a field and ignores an absent one', () => {
    expect(
      run({ a: 1, b: 2 }, [
        { type: 'remove', path: 'a' },
        { type: 'remove', path: 'zzz' },
      ]),
    ).toEqual({ b: 2 });
  });

  it('sets the value to null for the empty path', () => {
    expect(run({ a: 1 }, [{ type: 'remove', path: '' }])).toBeNull();
  });

  it('reports remove.target_not_object on a non-object root', () => {
    expect(codes('s', [{ type: 'remove', path: 'a' }])).toEqual(['remove.target_not_object']);
  });
});

describe('applyUpdateOps: sequencing', () => {
  it('skips failing ops, applies the rest in order and reports each failure by index', () => {
    const result = applyUpdateOps({ n: 1, s: 'x' }, [
      { type: 'increment', path: 's', by: 1 },
      { type: 'increment', path: 'n', by: 1 },
      { type: 'merge', value: 5 },
      { type: 'set', path: 'n', value: 10 },
    ]);
    expect(result.value).toEqual({ n: 10, s: 'x' });
    expect(result.errors.map((e) => [e.op_index, e.code])).toEqual([
      [0, 'increment.not_number'],
      [2, 'merge.value.not_an_object'],
    ]);
  });

  it('yields {} for a missing key when every op fails', () => {
    expect(applyUpdateOps(undefined, [{ type: 'merge', value: 1 }]).value).toEqual({});
  });

  it('yields the unchanged value for an empty op list', () => {
    expect(run({ a: 1 }, [])).toEqual({ a: 1 });
  });

  it('does not mutate the current value passed in', () => {
    const current = { list: [1], nested: { a: 1 } };
    run(current, [
      { type: 'append', path: 'list', value: 2 },
      { type: 'merge', path: 'nested', value: { b: 2 } },
    ]);
    expect(current).toEqual({ list: [1], nested: { a: 1 } });
  });

  it('leaves the missing-key flag after a root increment so a later one adds', () => {
    expect(
      run(undefined, [
        { type: 'increment', path: '', by: 1 },
        { type: 'increment', path: '', by: 1 },
      ]),
    ).toBe(2);
  });
});
