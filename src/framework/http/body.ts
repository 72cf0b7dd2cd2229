import { ownField, type Extractor } from '../triggers/adapter';
import { UnsupportedMediaTypeException, ValidationException } from './exceptions';

/**
 * The iii http worker hands a handler `body: null` for an empty body, a non-JSON content type and
 * malformed JSON alike. For a `@Body()` that must be a DTO, tell them apart from the headers, so
 * the client learns what to fix: a missing body and malformed JSON are 400s, a wrong content type
 * a 415. Any other body goes on to validation.
 */
export function requiredJsonBody(): Extractor {
  return (payload) => {
    const body = ownField(payload, 'body');
    if (body !== null && body !== undefined) return body;
    throw bodyProblem(ownField(payload, 'headers'));
  };
}

function bodyProblem(headers: unknown): Error {
  const header = (name: string): string | undefined => {
    const value = ownField(headers, name);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const length = header('content-length');
  const hasBytes = (length !== undefined && Number(length) > 0) || header('transfer-encoding') !== undefined;
  if (!hasBytes) return new ValidationException(['request body is missing: send a JSON object']);
  const type = header('content-type');
  if (type === undefined || !/^application\/(.+\+)?json\b/i.test(type)) {
    return new UnsupportedMediaTypeException(`content-type must be application/json (got ${type ?? 'none'})`);
  }
  return new ValidationException(['request body is not valid JSON']);
}
