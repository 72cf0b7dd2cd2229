import type { ErrorBody } from '../../protocol/errors';
import type { EngineErrorCode } from './error-codes';

export type { ErrorBody, EngineErrorCode };

/**
 * An error that crosses the worker protocol as `{ code, message, stacktrace? }`.
 * Built-in functions throw it; the worker manager turns it into an `invocationresult` error body.
 * Its code is one of the engine's closed set, unless it passes on another party's error.
 */
export class EngineError extends Error {
  readonly code: string;

  constructor(
    code: EngineErrorCode,
    message: string,
    readonly stacktrace?: string,
  ) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }

  /**
   * An error another party reported — a worker's `invocationresult`, a bridged engine, an HTTP
   * function's body — with its code kept as sent.
   */
  static passThrough(code: string, message: string, stacktrace?: string): EngineError {
    const error = new EngineError('UNKNOWN', message, stacktrace);
    (error as { code: string }).code = code;
    return error;
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
export function toEngineError(err: unknown, fallbackCode: EngineErrorCode = 'invocation_error'): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof Error) return new EngineError(fallbackCode, err.message, err.stack);
  return new EngineError(fallbackCode, String(err));
}
