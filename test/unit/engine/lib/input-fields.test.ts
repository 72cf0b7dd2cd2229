import { EngineError } from '../../../../src/engine/core/errors';
import {
  optionalString,
  readEmptyInput,
  readInput,
  requiredJson,
  requiredSequence,
  requiredString,
  type InputShape,
} from '../../../../src/engine/lib/input-fields';

interface Sample {
  name: string;
  id: string | null;
  data: unknown;
  ops: unknown[];
}

const SAMPLE: InputShape<Sample> = { name: requiredString, id: optionalString, data: requiredJson, ops: requiredSequence };

function failure(run: () => unknown): EngineError {
  try {
    run();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected a deserialization error');
}

describe('input field readers', () => {
  it('reads every field of the shape and ignores unknown keys', () => {
    const input = readInput('x::f', { name: 'n', data: null, ops: [1], _caller_worker_id: 'w' }, SAMPLE);
    expect(input).toEqual({ name: 'n', id: null, data: null, ops: [1] });
    expect(readInput('x::f', { name: 'n', id: 'i', data: { a: 1 }, ops: [] }, SAMPLE).id).toBe('i');
  });

  it.each([
    [{ data: 1, ops: [] }, 'missing field `name`'],
    [{ name: 4, data: 1, ops: [] }, 'invalid type: integer `4`, expected a string (field `name`)'],
    [{ name: 'n', id: false, data: 1, ops: [] }, 'invalid type: boolean `false`, expected a string (field `id`)'],
    [{ name: 'n', ops: [] }, 'missing field `data`'],
    [{ name: 'n', data: 1, ops: 'x' }, 'invalid type: string "x", expected a sequence (field `ops`)'],
    [[1], 'invalid type: sequence, expected a map'],
    ['s', 'invalid type: string "s", expected a map'],
    [null, 'invalid type: null, expected a map'],
  ])('refuses %j with deserialization_error: %s', (data, reason) => {
    const err = failure(() => readInput('x::f', data, SAMPLE));
    expect(err.code).toBe('deserialization_error');
    expect(err.message).toBe(`Failed to deserialize input for x::f: ${reason}`);
  });

  it('does not read a field from the prototype chain (`__proto__` keys)', () => {
    const data = JSON.parse('{"__proto__": {"name": "polluted"}, "data": 1, "ops": []}') as unknown;
    expect(failure(() => readInput('x::f', data, SAMPLE)).message).toContain('missing field `name`');
  });

  it('an empty input is nothing or any map', () => {
    expect(() => readEmptyInput('x::f', undefined)).not.toThrow();
    expect(() => readEmptyInput('x::f', {})).not.toThrow();
    expect(failure(() => readEmptyInput('x::f', 3)).message).toContain('expected a map');
  });
});
