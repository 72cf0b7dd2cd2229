import { decodeScope, encodeScope } from '../../../../../src/engine/workers/stream/store';

describe('stream scope encoding', () => {
  it('reads like <stream>:<group> for ordinary names', () => {
    expect(encodeScope('todos-live', 'all')).toBe('todos-live:all');
  });

  it('round-trips names with colons and percent signs', () => {
    for (const [stream, group] of [
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['%3A', ':'],
      ['%', '%25'],
      ['', ''],
    ] as const) {
      expect(decodeScope(encodeScope(stream, group))).toEqual({ streamName: stream, groupId: group });
    }
  });

  it('is injective where a plain join would collide', () => {
    expect(encodeScope('a:b', 'c')).not.toBe(encodeScope('a', 'b:c'));
    expect(encodeScope('a%3Ab', 'c')).not.toBe(encodeScope('a:b', 'c'));
  });

  it('ignores scopes without a separator', () => {
    expect(decodeScope('nocolon')).toBeUndefined();
  });
});
