import { EngineError } from '../../core/errors';
import { isPlainObject } from '../../core/ids';

/**
 * The `invocation` block of a `registerfunction` frame (engine.md §3.1 `HttpInvocationRef`), checked
 * and with its auth secrets resolved from the engine's environment once, at registration.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Auth with the secret values already read from the environment. */
export type ResolvedAuth =
  { type: 'hmac'; secret: string } | { type: 'bearer'; token: string } | { type: 'api_key'; header: string; value: string };

export interface HttpEndpoint {
  readonly url: string;
  readonly method: HttpMethod;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: ResolvedAuth;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Header names and values must survive Node's header validation; reject them up front instead. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function invalid(message: string): EngineError {
  return new EngineError('invalid_invocation', message);
}

function header(name: string, value: unknown): [string, string] {
  if (!HEADER_NAME.test(name)) throw invalid(`invalid header name ${JSON.stringify(name)}`);
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) throw invalid(`header ${name} must be a string of visible characters`);
  return [name, value];
}

function secret(env: NodeJS.ProcessEnv, auth: Record<string, unknown>, key: string): string {
  const name = auth[key];
  if (typeof name !== 'string' || name === '') throw invalid(`auth.${key} must name an environment variable`);
  const value = env[name];
  if (value === undefined || value === '') throw invalid(`environment variable ${name} (auth.${key}) is not set`);
  return value;
}

function parseAuth(raw: unknown, env: NodeJS.ProcessEnv): ResolvedAuth | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw invalid('auth must be an object');
  switch (raw.type) {
    case 'hmac':
      return { type: 'hmac', secret: secret(env, raw, 'secret_key') };
    case 'bearer': {
      const token = secret(env, raw, 'token_key');
      header('authorization', token);
      return { type: 'bearer', token };
    }
    case 'api_key': {
      if (typeof raw.header !== 'string') throw invalid('auth.header must be a header name');
      const [name, value] = header(raw.header, secret(env, raw, 'value_key'));
      return { type: 'api_key', header: name, value };
    }
    default:
      throw invalid(`unknown auth type ${JSON.stringify(raw.type)} (expected hmac, bearer or api_key)`);
  }
}

/** Throws `invalid_invocation` naming the first problem. */
export function parseInvocation(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): HttpEndpoint {
  if (typeof raw.url !== 'string' || raw.url === '') throw invalid('url is required');
  const method = raw.method === undefined || raw.method === null ? 'POST' : raw.method;
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!METHODS.includes(upper as HttpMethod)) throw invalid(`unsupported method ${JSON.stringify(method)}`);
  const timeout = raw.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) throw invalid('timeout_ms must be a positive number');
  const headers: Record<string, string> = {};
  if (raw.headers !== undefined && raw.headers !== null) {
    if (!isPlainObject(raw.headers)) throw invalid('headers must be an object of strings');
    for (const [name, value] of Object.entries(raw.headers)) {
      const [checkedName, checkedValue] = header(name, value);
      Object.defineProperty(headers, checkedName, { value: checkedValue, enumerable: true, writable: true, configurable: true });
    }
  }
  const auth = parseAuth(raw.auth, env);
  return {
    url: raw.url,
    method: upper as HttpMethod,
    // setTimeout tops out at 2^31-1 ms.
    timeoutMs: Math.min(Math.ceil(timeout), 2_147_483_647),
    headers,
    ...(auth !== undefined && { auth }),
  };
}
