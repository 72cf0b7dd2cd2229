import { FrameworkError } from '../errors';
import { readConstructorDeps } from '../metadata/reflection';
import type { Provider, Token, Type } from '../metadata/types';
import { isToken, tokenName } from './tokens';

interface RecipeBase {
  readonly token: Token;
  /** Human name of what gets built (class name, or the token for values/factories). */
  readonly consumer: string;
  /** What it needs; `undefined` where the compiler could not tell the type (reported at resolution). */
  readonly deps: ReadonlyArray<Token | undefined>;
}
/** Built by tsyringe (`useClass`, singleton in the owning module's container). */
export interface ClassRecipe extends RecipeBase {
  readonly kind: 'class';
  readonly cls: Type;
}
export interface ValueRecipe extends RecipeBase {
  readonly kind: 'value';
  readonly value: unknown;
}
/** Awaited once at bootstrap (factories may be async), then held by tsyringe as a value. */
export interface FactoryRecipe extends RecipeBase {
  readonly kind: 'factory';
  readonly factory: (...deps: unknown[]) => unknown;
}
/** tsyringe `useToken`: the same instance as another token. */
export interface AliasRecipe extends RecipeBase {
  readonly kind: 'alias';
  readonly existing: Token;
}

/** A provider reduced to one shape: a token, how to build it, and what it needs. */
export type ProviderRecipe = ClassRecipe | ValueRecipe | FactoryRecipe | AliasRecipe;

export function classRecipe(token: Token, cls: Type): ClassRecipe {
  return { kind: 'class', token, cls, consumer: cls.name, deps: readConstructorDeps(cls) };
}

export function valueRecipe(token: Token, value: unknown): ValueRecipe {
  return { kind: 'value', token, value, consumer: tokenName(token), deps: [] };
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
    const token = provider.provide;
    return { kind: 'alias', token, existing: provider.useExisting, consumer: `alias ${tokenName(token)}`, deps: [provider.useExisting] };
  }
  if ('useClass' in provider) {
    if (typeof provider.useClass !== 'function') {
      throw new FrameworkError('INVALID_PROVIDER', `${owner}: useClass of ${tokenName(provider.provide)} must be a class`);
    }
    return classRecipe(provider.provide, provider.useClass);
  }
  return factoryRecipe(provider.provide, provider.useFactory, provider.inject, owner);
}

export function factoryRecipe(token: Token, factory: unknown, inject: unknown, owner: string): FactoryRecipe {
  if (typeof factory !== 'function') {
    throw new FrameworkError('INVALID_PROVIDER', `${owner}: useFactory of ${tokenName(token)} must be a function`);
  }
  if (inject !== undefined && (!Array.isArray(inject) || !inject.every(isToken))) {
    throw new FrameworkError('INVALID_PROVIDER', `${owner}: inject of ${tokenName(token)} must be an array of tokens`);
  }
  return {
    kind: 'factory',
    token,
    factory: factory as (...deps: unknown[]) => unknown,
    consumer: `factory of ${tokenName(token)}`,
    deps: (inject as Token[] | undefined) ?? [],
  };
}

function describeProvider(value: unknown): string {
  if (value === undefined) return 'undefined — a circular file import?';
  if (value === null) return 'null';
  return typeof value === 'object' ? `an object with keys ${Object.keys(value).join(', ') || '(none)'}` : typeof value;
}
