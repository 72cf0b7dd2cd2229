import { BadRequestException } from '../http/exceptions';
import { dtoValidator, isDtoClass } from '../http/validation';
import type { Type } from '../metadata/types';
import type { ArgumentMetadata, PipeTransform } from './types';

/** `id` for `@Param('id')`, `the query` for `@Query()`, `the value` otherwise: the subject of a pipe's message. */
function subject(metadata: ArgumentMetadata): string {
  if (metadata.data !== undefined) return metadata.data;
  return metadata.type === 'custom' || metadata.type === 'event' ? 'the value' : `the ${metadata.type}`;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Options of the parse pipes. */
export interface ParsePipeOptions {
  /** Let a missing value (`undefined`, `null`, `''`) through as `undefined` instead of refusing it. */
  optional?: boolean;
}

const missing = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A string of digits (optionally signed) → an integer; anything else → 400 `id must be an integer (got "abc")`. */
export class ParseIntPipe implements PipeTransform<unknown, number | undefined> {
  // A default (not `options?`) keeps the constructor's arity 0, so the class can be given as is.
  constructor(private readonly options: ParsePipeOptions = {}) {}
  transform(value: unknown, metadata: ArgumentMetadata): number | undefined {
    if (this.options.optional === true && missing(value)) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) && Number.isSafeInteger(Number(value))) return Number(value);
    throw new BadRequestException(`${subject(metadata)} must be an integer (got ${shown(value)})`);
  }
}

/** `true`/`false` (strings or booleans) → a boolean; anything else → 400. */
export class ParseBoolPipe implements PipeTransform<unknown, boolean | undefined> {
  constructor(private readonly options: ParsePipeOptions = {}) {}
  transform(value: unknown, metadata: ArgumentMetadata): boolean | undefined {
    if (this.options.optional === true && missing(value)) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new BadRequestException(`${subject(metadata)} must be true or false (got ${shown(value)})`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A UUID (versions 1–8) passes unchanged; anything else → 400 `id must be a UUID (got "x")`. */
export class ParseUUIDPipe implements PipeTransform<unknown, string | undefined> {
  constructor(private readonly options: ParsePipeOptions = {}) {}
  transform(value: unknown, metadata: ArgumentMetadata): string | undefined {
    if (this.options.optional === true && missing(value)) return undefined;
    if (typeof value === 'string' && UUID.test(value)) return value;
    throw new BadRequestException(`${subject(metadata)} must be a UUID (got ${shown(value)})`);
  }
}

/** Replaces a missing value (`undefined`, `null`, or a number that is `NaN`) with `fallback`. */
export class DefaultValuePipe<T> implements PipeTransform<unknown, unknown> {
  constructor(private readonly fallback: T) {}
  transform(value: unknown): unknown {
    return value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value)) ? this.fallback : value;
  }
}

/**
 * Validates an argument typed with a class (a DTO) with class-validator, as `@Body()` DTOs always
 * are: unknown fields refused, one message per failing constraint. Use it for `@Query()` and
 * `@Param()` objects. Other arguments pass unchanged.
 */
export class ValidationPipe implements PipeTransform {
  private readonly validators = new Map<Type, (value: unknown) => Promise<unknown>>();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!isDtoClass(type) || value instanceof type) return value;
    let validate = this.validators.get(type);
    if (validate === undefined) {
      validate = dtoValidator(type, metadata.type === 'body' ? 'body' : subject(metadata));
      this.validators.set(type, validate);
    }
    return validate(value);
  }
}
