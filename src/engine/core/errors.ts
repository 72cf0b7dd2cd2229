import type { ErrorBody } from '../../protocol/errors';

export type { ErrorBody };

/**
 * An error that crosses the worker protocol as `{ code, message, stacktrace? }`.
 * Built-in functions throw it; the worker manager turns it into an `invocationresult` error body.
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly stacktrace?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  /** The wire shape (`ErrorBody`) of this error. */
  toBody(): ErrorBody {
    return this.stacktrace === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, stacktrace: this.stacktrace };
  }
}

/** A worker registered a capability (upgrade route, hook, service) after the engine started. */
export class LateRegistrationError extends Error {
  constructor(
    readonly workerName: string,
    readonly what: string,
  ) {
    super(`${workerName} registered ${what} after the engine started: capabilities are registered while a worker starts`);
    this.name = 'LateRegistrationError';
  }
}

/** A worker used a service its worker table entry does not list in `needs`. */
export class UndeclaredServiceError extends Error {
  constructor(
    readonly workerName: string,
    readonly service: string,
  ) {
    super(`${workerName} uses service ${service} without declaring it in its needs`);
    this.name = 'UndeclaredServiceError';
  }
}

/** Normalises anything thrown by a handler into an EngineError (unknown errors keep their message). */
export function toEngineError(err: unknown, fallbackCode = 'invocation_error'): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof Error) return new EngineError(fallbackCode, err.message, err.stack);
  return new EngineError(fallbackCode, String(err));
}
