import type { HttpMethod, HttpTriggerMeta } from '../metadata/types';
import { describe, invalid, rejectUnknownKeys, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export interface HttpOptions {
  /** Success status (default 200, or 201 for POST). */
  status?: number;
  /** Explicit function id (default `<prefix>::<method-name>`). */
  functionId?: string;
  /** iii middleware function ids run before the handler (`middleware_function_ids`). */
  middleware?: string[];
}

/** Serves the method on the engine's REST port: trigger type `http`, path joined with the prefix. */
export function Http(method: HttpMethod | Lowercase<HttpMethod>, path = '', options?: HttpOptions): MethodDecorator {
  const name = `@Http(${typeof method === 'string' ? method : '?'}, ${typeof path === 'string' ? `'${path}'` : '?'})`;
  const httpMethod = typeof method === 'string' ? (method.toUpperCase() as HttpMethod) : undefined;
  if (httpMethod === undefined || !METHODS.includes(httpMethod)) {
    throw invalid(name, `method must be one of ${METHODS.join(', ')} (got ${describe(method)})`);
  }
  checkPath(name, path);
  const opts = requireOptionsObject(name, options) as HttpOptions;
  rejectUnknownKeys(name, opts, ['status', 'functionId', 'middleware']);
  if (opts.status !== undefined && !(Number.isInteger(opts.status) && opts.status >= 100 && opts.status <= 599)) {
    throw invalid(name, `status must be an integer between 100 and 599 (got ${describe(opts.status)})`);
  }
  const middleware = checkMiddleware(name, opts.middleware);
  const functionId = optionalFunctionId(name, opts.functionId);
  return triggerDecorator(name, (m): HttpTriggerMeta => ({
    kind: 'http',
    method: m,
    httpMethod,
    path: path.replace(/^\/+|\/+$/g, ''),
    ...(opts.status !== undefined ? { status: opts.status } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
    ...(middleware !== undefined ? { middleware } : {}),
  }));
}

export const Get = (path?: string, options?: HttpOptions): MethodDecorator => Http('GET', path, options);
export const Post = (path?: string, options?: HttpOptions): MethodDecorator => Http('POST', path, options);
export const Put = (path?: string, options?: HttpOptions): MethodDecorator => Http('PUT', path, options);
export const Patch = (path?: string, options?: HttpOptions): MethodDecorator => Http('PATCH', path, options);
export const Delete = (path?: string, options?: HttpOptions): MethodDecorator => Http('DELETE', path, options);

/** The iii router knows literal and `:param` segments only. */
function checkPath(name: string, path: unknown): asserts path is string {
  if (typeof path !== 'string') throw invalid(name, `path must be a string (got ${describe(path)})`);
  const segments = path.split('/').filter((s) => s !== '');
  for (const segment of segments) {
    if (segment.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      throw invalid(name, `path parameter '${segment}' must be ':' followed by an identifier`);
    }
    if (/[*{}?#\s]/.test(segment)) {
      throw invalid(name, `path segment '${segment}' is not supported (only literal and ':param' segments)`);
    }
  }
}

function checkMiddleware(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw invalid(name, 'middleware must be an array of function ids');
  }
  return [...(value as string[])];
}
