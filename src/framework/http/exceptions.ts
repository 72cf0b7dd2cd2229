/**
 * HTTP exceptions: throw one from a handler and the client gets its status and body
 * `{ statusCode, error, message }`. Each class has a stable `code` for programmatic checks.
 */
import type { HttpErrorBody } from '../../protocol/errors';

export type { HttpErrorBody };

export class HttpException extends Error {
  constructor(
    readonly status: number,
    message: string | string[],
    readonly code: string = 'HTTP_ERROR',
    readonly error: string = reasonPhrase(status),
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.name = new.target.name;
    this.details = message;
  }

  /** The message as given (a list for validation errors). */
  readonly details: string | string[];

  getResponse(): HttpErrorBody {
    return { statusCode: this.status, error: this.error, message: this.details };
  }
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

/** An exception class for one status; its `error` is the status's reason phrase, as is its default message. */
function define(status: number, code: string, fallback: string = reasonPhrase(status)) {
  return class extends HttpException {
    constructor(message: string | string[] = fallback) {
      super(status, message, code);
    }
  };
}

export class BadRequestException extends define(400, 'BAD_REQUEST') {}
export class UnauthorizedException extends define(401, 'UNAUTHORIZED') {}
export class ForbiddenException extends define(403, 'FORBIDDEN') {}
export class NotFoundException extends define(404, 'NOT_FOUND') {}
export class MethodNotAllowedException extends define(405, 'METHOD_NOT_ALLOWED') {}
export class ConflictException extends define(409, 'CONFLICT') {}
export class GoneException extends define(410, 'GONE') {}
export class PayloadTooLargeException extends define(413, 'PAYLOAD_TOO_LARGE') {}
export class UnsupportedMediaTypeException extends define(415, 'UNSUPPORTED_MEDIA_TYPE') {}
export class UnprocessableEntityException extends define(422, 'UNPROCESSABLE_ENTITY') {}
export class TooManyRequestsException extends define(429, 'TOO_MANY_REQUESTS') {}
export class InternalServerErrorException extends define(500, 'INTERNAL_SERVER_ERROR', 'Internal server error') {}
export class NotImplementedException extends define(501, 'NOT_IMPLEMENTED') {}
export class ServiceUnavailableException extends define(503, 'SERVICE_UNAVAILABLE') {}

/** Validation failures: 400 with the list of violated constraints. */
export class ValidationException extends BadRequestException {
  override readonly code = 'VALIDATION_FAILED';
  constructor(readonly messages: string[]) {
    super(messages);
  }
}
