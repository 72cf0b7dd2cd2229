import { isUuid, newId } from '../../../../src/engine/core/ids';

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

  it('returns strings that later ids do not change (no view of a reused buffer)', () => {
    const first = newId();
    const copy = `${first}`.split('').join('');
    for (let i = 0; i < 300; i++) newId();
    expect(first).toBe(copy);
  });

  it('spreads its bits: every hex digit shows up in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...newId()].forEach((char, index) => seen[index]?.add(char));
    const randomPositions = [...Array(36).keys()].filter((i) => ![8, 13, 14, 18, 19, 23].includes(i));
    for (const index of randomPositions) expect(seen[index]?.size).toBe(16);
    expect(seen[19]).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
