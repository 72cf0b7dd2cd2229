import type { Token } from '../metadata/types';

/** A readable name for a token in error messages. */
export function tokenName(token: unknown): string {
  if (typeof token === 'function') return token.name || '<anonymous class>';
  if (typeof token === 'symbol') return token.toString();
  if (typeof token === 'string') return `'${token}'`;
  return String(token);
}

export function isToken(value: unknown): value is Token {
  return typeof value === 'function' || typeof value === 'symbol' || (typeof value === 'string' && value !== '');
}
