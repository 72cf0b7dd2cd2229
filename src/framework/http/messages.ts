import { getMetadataStorage, type ValidationError } from 'class-validator';

/**
 * class-validator's default messages, rewritten the way a person would: one message per failing
 * rule of a field, and one for the field's shape when its type or size is wrong (`title must be a
 * string of 1–200 characters`, not three lines about strings and lengths), `title is required`
 * for a missing field, `extra is not a known field` for an unknown one. Messages given in the DTO
 * (`{ message: ... }`) are kept as written.
 */
export function describeErrors(errors: readonly ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    out.push(...describeError(error, path));
    if (error.children !== undefined && error.children.length > 0) out.push(...describeErrors(error.children, path));
  }
  return out;
}

interface Rule {
  readonly name: string;
  readonly constraints: readonly unknown[];
  readonly custom: boolean;
}

const TYPES: Record<string, string> = {
  isString: 'a string',
  isBoolean: 'true or false',
  isInt: 'an integer',
  isNumber: 'a number',
  isArray: 'an array',
  isObject: 'an object',
  isDateString: 'a date (ISO 8601)',
  isISO8601: 'a date (ISO 8601)',
  isUUID: 'a UUID',
  isEmail: 'an email address',
  isUrl: 'a URL',
};
/** Rules about the size of a value: folded into the one shape message. */
const SIZES = new Set(['isLength', 'minLength', 'maxLength', 'min', 'max', 'isIn', 'isEnum', 'arrayMinSize', 'arrayMaxSize']);

function describeError(error: ValidationError, path: string): string[] {
  const failing = Object.keys(error.constraints ?? {});
  if (failing.length === 0) return [];
  if (failing.includes('whitelistValidation')) return [`${path} is not a known field`];
  const target = error.target?.constructor;
  const rules = target === undefined ? [] : rulesOf(target, error.property);
  const shape = describeShape(rules);
  if (error.value === undefined && shape !== null) return [`${path} is required (${shape})`];
  const out: string[] = [];
  const shapeFails = failing.some((name) => (name in TYPES || SIZES.has(name)) && !rules.find((r) => r.name === name)?.custom);
  if (shapeFails && shape !== null) out.push(`${path} must be ${shape}`);
  for (const name of failing) {
    const rule = rules.find((r) => r.name === name);
    if (shapeFails && shape !== null && rule?.custom !== true && (name in TYPES || SIZES.has(name))) continue;
    // A blank check on a value of the wrong type or size says the same thing twice.
    if (shapeFails && rule?.custom === true && error.value === '') continue;
    const message = error.constraints?.[name];
    if (message !== undefined)
      out.push(message.startsWith(`${error.property} `) ? `${path}${message.slice(error.property.length)}` : message);
  }
  return out;
}

function rulesOf(target: object, property: string): Rule[] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(target as new () => unknown, '', true, false)
    .filter((m) => m.propertyName === property && typeof m.name === 'string')
    .map((m) => ({ name: m.name as string, constraints: (m.constraints ?? []) as unknown[], custom: m.message !== undefined }));
}

/** `a string of 1–200 characters`, `an integer between 0 and 65535`, or `null` when the rules say nothing of the shape. */
function describeShape(rules: readonly Rule[]): string | null {
  const type = rules.find((r) => r.name in TYPES);
  const parts: string[] = [];
  if (type !== undefined) parts.push(TYPES[type.name] as string);
  const size = describeSize(rules);
  if (size !== null) parts.push(size);
  if (parts.length === 0) return null;
  if (type === undefined) return size;
  return parts.join(' ');
}

function describeSize(rules: readonly Rule[]): string | null {
  const get = (name: string): readonly unknown[] | undefined => rules.find((r) => r.name === name)?.constraints;
  const length = get('isLength');
  const minLength = (length?.[0] ?? get('minLength')?.[0]) as number | undefined;
  const maxLength = (length?.[1] ?? get('maxLength')?.[0]) as number | undefined;
  if (minLength !== undefined || maxLength !== undefined) return `of ${range(minLength, maxLength)} characters`;
  const min = get('min')?.[0] as number | undefined;
  const max = get('max')?.[0] as number | undefined;
  if (min !== undefined || max !== undefined) {
    if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
    return min !== undefined ? `of ${min} or more` : `of ${String(max)} or less`;
  }
  const allowed = get('isIn')?.[0] ?? (get('isEnum')?.[0] !== undefined ? Object.values(get('isEnum')?.[0] as object) : undefined);
  if (Array.isArray(allowed)) return `one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  return null;
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return min === max ? `${min}` : `${min}–${max}`;
  return min !== undefined ? `at least ${min}` : `at most ${String(max)}`;
}
