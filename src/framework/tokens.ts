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
