/**
 * Errors raised by the framework itself (bootstrap, decorators, module graph). Each carries a
 * stable `code` so callers and tests can branch on it without parsing messages.
 */
export type FrameworkErrorCode =
  | 'INVALID_DECORATOR_ARGUMENT'
  | 'INVALID_MODULE_KEY'
  | 'INVALID_MODULE'
  | 'INVALID_PROVIDER'
  | 'INVALID_EXPORT'
  | 'MODULE_CYCLE'
  | 'PROVIDER_CYCLE'
  | 'UNKNOWN_DEPENDENCY'
  | 'UNKNOWN_TOKEN'
  | 'DUPLICATE_FUNCTION_ID'
  | 'INVALID_HANDLER'
  | 'NO_CLIENT'
  | 'ALREADY_REGISTERED'
  | 'ENGINE_START_FAILED'
  | 'APPLICATION_CLOSED'
  | 'MISSING_INJECTABLE'
  | 'ENHANCER_NOT_RESOLVABLE'
  | 'UNKNOWN_ROUTE_PARAM'
  | 'DUPLICATE_ROUTE'
  | 'PORT_IN_USE'
  | 'CONFIG_INVALID'
  | 'ENHANCERS_TOO_LATE'
  | 'NOT_SUPPORTED'
  | 'SETTLE_TIMEOUT';

export class FrameworkError extends Error {
  constructor(
    readonly code: FrameworkErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FrameworkError';
  }
}

/** Raised when a constructor or factory parameter cannot be resolved in its module. */
export class UnknownDependencyError extends FrameworkError {
  constructor(
    message: string,
    readonly consumer: string,
    readonly index: number,
    readonly token: string,
    readonly moduleChain: string,
  ) {
    super('UNKNOWN_DEPENDENCY', message);
    this.name = 'UnknownDependencyError';
  }
}
