/** Injection tokens for what the framework itself provides to every module. */

/** The raw `IIIClient` (iii-sdk worker) of the application. */
export const III_CLIENT = Symbol.for('iii-nest:III_CLIENT');
/** The application's `Logger`. */
export const LOGGER = Symbol.for('iii-nest:LOGGER');
