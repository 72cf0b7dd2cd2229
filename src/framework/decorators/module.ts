import { FrameworkError } from '../errors';
import { writeController, writeGlobal, writeInjectable, writeInjectToken, writeModule } from '../metadata/reflection';
import type { ModuleMetadata, Token } from '../metadata/types';
import { describe, invalid } from './checks';

const MODULE_KEYS = ['imports', 'providers', 'controllers', 'exports'] as const;

/** Declares a module: its imports, providers, controllers and what it exports to importers. */
export function Module(metadata: ModuleMetadata): ClassDecorator {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new FrameworkError('INVALID_MODULE', `@Module(): metadata must be an object (got ${describe(metadata)})`);
  }
  const unknown = Object.keys(metadata).filter((k) => !(MODULE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new FrameworkError(
      'INVALID_MODULE_KEY',
      `@Module(): unknown key(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed keys: ${MODULE_KEYS.join(', ')}`,
    );
  }
  for (const key of MODULE_KEYS) {
    const value = metadata[key];
    if (value !== undefined && !Array.isArray(value)) {
      throw new FrameworkError('INVALID_MODULE', `@Module(): '${key}' must be an array (got ${describe(value)})`);
    }
  }
  // Copies, so later mutation of the caller's arrays cannot change a declared module.
  const frozen: ModuleMetadata = {
    imports: [...(metadata.imports ?? [])],
    providers: [...(metadata.providers ?? [])],
    controllers: [...(metadata.controllers ?? [])],
    exports: [...(metadata.exports ?? [])],
  };
  return (target) => writeModule(target, frozen);
}

/**
 * Makes a module's exports visible in every module of the application without importing it
 * (import it once, usually in the root module). Use sparingly: explicit imports say more.
 */
export function Global(): ClassDecorator {
  return (target) => writeGlobal(target);
}

/**
 * Declares a controller: a class whose decorated methods become iii functions and triggers.
 * `prefix` prefixes `@Http` paths and names derived function ids (`todos` ⇒ `todos::create`).
 */
export function Controller(prefix = ''): ClassDecorator {
  if (typeof prefix !== 'string') throw invalid('@Controller()', `prefix must be a string (got ${describe(prefix)})`);
  const normalized = prefix.replace(/^\/+|\/+$/g, '');
  return (target) => {
    writeController(target, { prefix: normalized });
    writeInjectable(target);
  };
}

/** Marks a class as a provider (and makes the compiler emit its constructor parameter types). */
export function Injectable(): ClassDecorator {
  return (target) => writeInjectable(target);
}

/** Injects `token` into a constructor parameter (for string/symbol tokens and interfaces). */
export function Inject(token: Token): ParameterDecorator {
  const ok = typeof token === 'string' ? token !== '' : typeof token === 'symbol' || typeof token === 'function';
  if (!ok) throw invalid('@Inject()', `token must be a class, a non-empty string or a symbol (got ${describe(token)})`);
  return (target, propertyKey, index) => {
    if (propertyKey !== undefined) throw invalid('@Inject()', 'only constructor parameters can be injected');
    writeInjectToken(target, index, token);
  };
}
