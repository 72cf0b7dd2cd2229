import { FrameworkError } from '../errors';
import type { Token } from '../metadata/types';
import { ENHANCER_METHOD, type EnhancerKind, type GlobalEnhancers } from '../pipeline/types';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '../tokens';
import type { ProviderRecipe } from './providers';

/** One `{ provide: APP_GUARD | APP_INTERCEPTOR | APP_PIPE | APP_FILTER, ... }` of a module. */
export interface AppEnhancerDecl {
  readonly kind: EnhancerKind;
  /** The token of its own the provider is registered under (several may share one APP_* token). */
  readonly token: symbol;
  /** `APP_GUARD` etc., for messages. */
  readonly label: string;
}

const KINDS = new Map<Token, { kind: EnhancerKind; label: string }>([
  [APP_GUARD, { kind: 'guards', label: 'APP_GUARD' }],
  [APP_INTERCEPTOR, { kind: 'interceptors', label: 'APP_INTERCEPTOR' }],
  [APP_PIPE, { kind: 'pipes', label: 'APP_PIPE' }],
  [APP_FILTER, { kind: 'filters', label: 'APP_FILTER' }],
]);

/**
 * An APP_* provider gets a token of its own, so a module may declare several and each is built
 * once, in that module's container, like any provider. Other recipes pass through unchanged.
 */
export function claimAppEnhancer(recipe: ProviderRecipe, owner: string, index: number): { recipe: ProviderRecipe; decl?: AppEnhancerDecl } {
  const found = KINDS.get(recipe.token);
  if (found === undefined) return { recipe };
  const token = Symbol(`${found.label} of ${owner} (providers[${index}])`);
  return { recipe: { ...recipe, token }, decl: { kind: found.kind, token, label: found.label } };
}

/** Collects the built APP_* instances by kind, checking each has its enhancer method. */
export function collectAppEnhancers(decls: ReadonlyArray<{ decl: AppEnhancerDecl; instance: unknown; module: string }>): GlobalEnhancers {
  const out: Record<EnhancerKind, unknown[]> = { guards: [], interceptors: [], pipes: [], filters: [] };
  for (const { decl, instance, module } of decls) {
    const method = ENHANCER_METHOD[decl.kind];
    if (instance === null || typeof instance !== 'object' || typeof (instance as Record<string, unknown>)[method] !== 'function') {
      throw new FrameworkError(
        'INVALID_PROVIDER',
        `${module}: the ${decl.label} provider has no ${method}() method; provide a class or value implementing it`,
      );
    }
    out[decl.kind].push(instance);
  }
  return out as unknown as GlobalEnhancers;
}

/** Global enhancers from DI first (NestJS registers them at creation), then the application's own. */
export function mergeGlobals(first: GlobalEnhancers, then: GlobalEnhancers): GlobalEnhancers {
  return {
    guards: [...first.guards, ...then.guards],
    interceptors: [...first.interceptors, ...then.interceptors],
    pipes: [...first.pipes, ...then.pipes],
    filters: [...first.filters, ...then.filters],
  };
}
