import { FrameworkError } from '../errors';

/** Argument checks shared by the decorators: fail at class-definition time, naming the decorator. */
export function invalid(decorator: string, reason: string): FrameworkError {
  return new FrameworkError('INVALID_DECORATOR_ARGUMENT', `${decorator}: ${reason}`);
}

export function requireNonEmptyString(decorator: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(decorator, `${what} must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

export function optionalString(decorator: string, what: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return requireNonEmptyString(decorator, what, value);
}

/** Rejects option keys the decorator does not know, so typos do not silently do nothing. */
export function rejectUnknownKeys(decorator: string, options: object, allowed: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalid(decorator, `unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
}

export function requireOptionsObject(decorator: string, value: unknown): object {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(decorator, `options must be an object (got ${describe(value)})`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  return typeof value;
}

/** Method decorators receive `propertyKey: string | symbol`; function ids need a string name. */
export function methodName(decorator: string, key: string | symbol): string {
  if (typeof key !== 'string') throw invalid(decorator, 'cannot decorate a symbol-named method');
  return key;
}
