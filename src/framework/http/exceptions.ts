/**
 * HTTP exceptions: throw one from a handler and the client gets its status and body
 * `{ statusCode, error, message }`. Each class has a stable `code` for programmatic checks.
 */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

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

function define(status: number, code: string, error: string, fallback: string) {
  return class extends HttpException {
    constructor(message: string | string[] = fallback) {
      super(status, message, code, error);
    }
  };
}

export class BadRequestException extends define(400, 'BAD_REQUEST', 'Bad Request', 'Bad Request') {}
export class UnauthorizedException extends define(401, 'UNAUTHORIZED', 'Unauthorized', 'Unauthorized') {}
export class ForbiddenException extends define(403, 'FORBIDDEN', 'Forbidden', 'Forbidden') {}
export class NotFoundException extends define(404, 'NOT_FOUND', 'Not Found', 'Not Found') {}
export class MethodNotAllowedException extends define(405, 'METHOD_NOT_ALLOWED', 'Method Not Allowed', 'Method Not Allowed') {}
export class ConflictException extends define(409, 'CONFLICT', 'Conflict', 'Conflict') {}
export class GoneException extends define(410, 'GONE', 'Gone', 'Gone') {}
export class PayloadTooLargeException extends define(413, 'PAYLOAD_TOO_LARGE', 'Payload Too Large', 'Payload Too Large') {}
export class UnprocessableEntityException extends define(422, 'UNPROCESSABLE_ENTITY', 'Unprocessable Entity', 'Unprocessable Entity') {}
export class TooManyRequestsException extends define(429, 'TOO_MANY_REQUESTS', 'Too Many Requests', 'Too Many Requests') {}
export class InternalServerErrorException extends define(500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error', 'Internal server error') {}
export class NotImplementedException extends define(501, 'NOT_IMPLEMENTED', 'Not Implemented', 'Not Implemented') {}
export class ServiceUnavailableException extends define(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable', 'Service Unavailable') {}

/** Validation failures: 400 with the list of violated constraints. */
export class ValidationException extends BadRequestException {
  override readonly code = 'VALIDATION_FAILED';
  constructor(readonly messages: string[]) {
    super(messages);
  }
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}
