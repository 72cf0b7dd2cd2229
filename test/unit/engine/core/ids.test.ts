import { idPrefix, isUuid, newId, newIdWithPrefix } from '../../../../src/engine/core/ids';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes lowercase UUID v4 strings, all different, across many random batches', () => {
    const ids = Array.from({ length: 1_000 }, () => newId());
    for (const id of ids) {
      expect(id).toMatch(V4);
      expect(isUuid(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads its bits: every hex digit shows up in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...newId()].forEach((char, index) => seen[index]?.add(char));
    const randomPositions = [...Array(36).keys()].filter((i) => ![8, 13, 14, 18, 19, 23].includes(i));
    for (const index of randomPositions) expect(seen[index]?.size).toBe(16);
    expect(seen[19]).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});

describe('isUuid', () => {
  it('accepts the 8-4-4-4-12 hex shape in either case, any version', () => {
    expect(isUuid('7d0c7d0c-0000-4000-8000-000000000000')).toBe(true);
    expect(isUuid('7D0C7D0C-ABCD-1EF0-9999-FFFFFFFFFFFF')).toBe(true);
  });

  it('refuses anything else: wrong length, misplaced or missing hyphens, non-hex digits, non-strings', () => {
    const good = '7d0c7d0c-0000-4000-8000-000000000000';
    expect(isUuid(good.slice(1))).toBe(false);
    expect(isUuid(`${good}0`)).toBe(false);
    expect(isUuid('7d0c7d0c0-000-4000-8000-000000000000')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000_000000000000')).toBe(false);
    expect(isUuid('7d0c7d0g-0000-4000-8000-000000000000')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000-00000000000:')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000-0000000000/0')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000-00000000000G')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000-00000000000@')).toBe(false);
    expect(isUuid('7d0c7d0c-0000-4000-8000-00000000000`')).toBe(false);
    expect(isUuid('------------------------------------')).toBe(false);
    expect(isUuid(42)).toBe(false);
    expect(isUuid(null)).toBe(false);
  });
});

describe('newIdWithPrefix', () => {
  it('puts the number in the first 8 hex digits of an otherwise random UUID v4, and reads it back', () => {
    for (const prefix of [0, 1, 0xabcdef, 0x7fffffff, 0xffffffff]) {
      const a = newIdWithPrefix(prefix);
      const b = newIdWithPrefix(prefix);
      expect(a).toMatch(V4);
      expect(a.slice(0, 8)).toBe(prefix.toString(16).padStart(8, '0'));
      expect(a.slice(9)).not.toBe(b.slice(9));
      expect(idPrefix(a)).toBe(prefix);
    }
  });

  it('reads no prefix from text that does not start with 8 hex digits', () => {
    expect(idPrefix('1234567')).toBeNaN();
    expect(idPrefix('1234567g-0000')).toBeNaN();
    expect(idPrefix('missing')).toBeNaN();
    expect(idPrefix('ABCDEF01-')).toBe(0xabcdef01);
  });
});
