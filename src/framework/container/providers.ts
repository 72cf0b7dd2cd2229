import { FrameworkError } from '../errors';
import { readConstructorDeps } from '../metadata/reflection';
import type { Provider, Token, Type } from '../metadata/types';
import { isToken, tokenName } from './tokens';

/**
 * A provider reduced to one shape: a token, how to build it, and what it needs. `deps` entries
 * are `undefined` where the compiler could not tell the type (reported at resolution).
 */
export interface ProviderRecipe {
  token: Token;
  /** Human name of what gets built (class name, or the token for values/factories). */
  consumer: string;
  deps: ReadonlyArray<Token | undefined>;
  build: (deps: unknown[]) => unknown;
  /** True when `build` may return a promise (factories). */
  async: boolean;
}

export function classRecipe(token: Token, cls: Type): ProviderRecipe {
  return {
    token,
    consumer: cls.name,
    deps: readConstructorDeps(cls),
    build: (deps) => new (cls as unknown as new (...args: unknown[]) => unknown)(...deps),
    async: false,
  };
}

export function valueRecipe(token: Token, value: unknown): ProviderRecipe {
  return { token, consumer: tokenName(token), deps: [], build: () => value, async: false };
}

/** Normalizes one `providers:` entry; `owner` names the declaring module for errors. */
export function toRecipe(provider: Provider, owner: string, index: number): ProviderRecipe {
  if (typeof provider === 'function') return classRecipe(provider, provider);
  if (provider === null || typeof provider !== 'object' || !('provide' in provider) || !isToken(provider.provide)) {
    throw new FrameworkError(
      'INVALID_PROVIDER',
      `${owner}: provider at index ${index} must be a class or { provide, useValue | useClass | useFactory } (got ${describeProvider(provider)})`,
    );
  }
  const kinds = (['useValue', 'useClass', 'useFactory', 'useExisting'] as const).filter((k) => k in provider);
  if (kinds.length !== 1) {
    throw new FrameworkError(
      'INVALID_PROVIDER',
      `${owner}: provider ${tokenName(provider.provide)} must have exactly one of useValue, useClass, useFactory, useExisting`,
    );
  }
  if ('useValue' in provider) return valueRecipe(provider.provide, provider.useValue);
  if ('useExisting' in provider) {
    if (!isToken(provider.useExisting)) {
      throw new FrameworkError('INVALID_PROVIDER', `${owner}: useExisting of ${tokenName(provider.provide)} must be a token`);
    }
    const alias = factoryRecipe(provider.provide, (existing: unknown) => existing, [provider.useExisting], owner);
    return { ...alias, consumer: `alias ${tokenName(provider.provide)}`, async: false };
  }
  if ('useClass' in provider) {
    if (typeof provider.useClass !== 'function') {
      throw new FrameworkError('INVALID_PROVIDER', `${owner}: useClass of ${tokenName(provider.provide)} must be a class`);
    }
    return classRecipe(provider.provide, provider.useClass);
  }
  return factoryRecipe(provider.provide, provider.useFactory, provider.inject, owner);
}

export function factoryRecipe(token: Token, factory: unknown, inject: unknown, owner: string): ProviderRecipe {
  if (typeof factory !== 'function') {
    throw new FrameworkError('INVALID_PROVIDER', `${owner}: useFactory of ${tokenName(token)} must be a function`);
  }
  if (inject !== undefined && (!Array.isArray(inject) || !inject.every(isToken))) {
    throw new FrameworkError('INVALID_PROVIDER', `${owner}: inject of ${tokenName(token)} must be an array of tokens`);
  }
  const fn = factory as (...deps: unknown[]) => unknown;
  return {
    token,
    consumer: `factory of ${tokenName(token)}`,
    deps: (inject as Token[] | undefined) ?? [],
    build: (deps) => fn(...deps),
    async: true,
  };
}

function describeProvider(value: unknown): string {
  if (value === undefined) return 'undefined — a circular file import?';
  if (value === null) return 'null';
  return typeof value === 'object' ? `an object with keys ${Object.keys(value).join(', ') || '(none)'}` : typeof value;
}
