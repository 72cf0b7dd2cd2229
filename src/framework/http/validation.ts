import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describeErrors } from './messages';
import { isDesignBuiltIn } from '../metadata/reflection';
import type { Type } from '../metadata/types';
import { ValidationException } from './exceptions';

/** Keys that could reach an object's prototype when copied onto it. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

/**
 * Builds the validation stage for a DTO class: plain JSON in, a validated instance out, or a
 * `ValidationException` (400, list of messages). Built once per parameter at bootstrap. `what`
 * names the argument in messages; for anything but the body (query strings, path parameters) the
 * text values are converted to the DTO's declared property types first.
 */
export function dtoValidator(dto: Type, what = 'body'): (value: unknown) => Promise<unknown> {
  const convert = what !== 'body';
  return async (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationException([
        `${what} must be a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`,
      ]);
    }
    const unsafe = findUnsafeKey(value, 0);
    if (unsafe !== null) throw new ValidationException([unsafe]);
    const instance = plainToInstance(dto, value, { enableImplicitConversion: convert }) as object;
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length > 0) throw new ValidationException(describeErrors(errors));
    return instance;
  };
}

/** True for classes worth validating (not the built-ins the compiler emits for primitives). */
export function isDtoClass(type: unknown): type is Type {
  return typeof type === 'function' && !isDesignBuiltIn(type) && type !== Date;
}

/** Refuses prototype-polluting keys and absurd nesting before any copying happens. */
function findUnsafeKey(value: object, depth: number): string | null {
  if (depth > MAX_DEPTH) return `body is nested deeper than ${MAX_DEPTH} levels`;
  // iii-sdk rebuilds payloads with `out[key] = value`, so a JSON `__proto__` key arrives as the
  // object's prototype rather than as an own key: a foreign prototype is the same attack.
  const proto: unknown = Object.getPrototypeOf(value);
  const expected = Array.isArray(value) ? Array.prototype : Object.prototype;
  if (proto !== expected && proto !== null) return 'property __proto__ is not allowed';
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `property ${key} is not allowed`;
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') {
      const found = findUnsafeKey(child, depth + 1);
      if (found !== null) return found;
    }
  }
  return null;
}
