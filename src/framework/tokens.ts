/** Injection tokens for what the framework itself provides to every module. */

/** The raw `IIIClient` (iii-sdk worker) of the application. */
export const III_CLIENT = Symbol.for('iii-nest:III_CLIENT');
/** The application's `Logger`. */
export const LOGGER = Symbol.for('iii-nest:LOGGER');
/**
 * The application's `EngineUrls` (worker protocol, and REST/stream when known), so a provider can
 * tell clients where to connect — e.g. an ephemeral stream port in tests.
 */
export const ENGINE_URLS = Symbol.for('iii-nest:ENGINE_URLS');
/** Internal: which queue feeds each `@OnQueue` function (filled at bootstrap; `Queue.enqueue`'s default). */
export const QUEUE_ROUTES = Symbol.for('iii-nest:QUEUE_ROUTES');

/**
 * NestJS's global-enhancer providers: `{ provide: APP_GUARD, useClass: AuthGuard }` in any module's
 * `providers` makes a guard that applies to every trigger of the application, built through DI in
 * that module (so it can inject the module's services). Any number may be declared, in any module;
 * they run before those given to `app.useGlobalGuards(...)`, in module order (imports first), then
 * in declaration order.
 */
export const APP_GUARD = Symbol.for('iii-nest:APP_GUARD');
/** A global interceptor provided through DI (see `APP_GUARD`). */
export const APP_INTERCEPTOR = Symbol.for('iii-nest:APP_INTERCEPTOR');
/** A global pipe provided through DI (see `APP_GUARD`). */
export const APP_PIPE = Symbol.for('iii-nest:APP_PIPE');
/** A global exception filter provided through DI (see `APP_GUARD`). */
export const APP_FILTER = Symbol.for('iii-nest:APP_FILTER');
