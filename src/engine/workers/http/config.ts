/**
 * The `config:` block of the `iii-http` worker (engine.md §1.1), checked and defaulted in one place.
 * Unknown keys are refused, naming them, as the real engine does (`deny_unknown_fields`): a typo
 * such as `defualt_timeout` must not silently fall back to the default.
 */
import { EngineError } from '../../core/errors';

/** One global middleware entry, run before every route's own middleware (engine.md §9.4). */
export interface HttpMiddlewareEntry {
  readonly functionId: string;
  readonly phase: string;
  readonly priority: number;
}

/** CORS policy; `null` lists mean "any" (engine.md §9.5: `"*"` or an empty list allows everything). */
export interface HttpCorsConfig {
  readonly allowedOrigins: readonly string[] | null;
  readonly allowedMethods: readonly string[] | null;
}

export interface HttpWorkerConfig {
  readonly port: number;
  readonly host: string;
  /** Whole-request bound in ms (also bounds each middleware call). */
  readonly defaultTimeoutMs: number;
  /** `null` ⇒ fully permissive CORS; an empty `allowedOrigins` list (config `cors: false`) ⇒ CORS off. */
  readonly cors: HttpCorsConfig | null;
  /** Ours (`json_bodies_only`): a non-empty body that is not JSON is refused with 415. */
  readonly jsonBodiesOnly: boolean;
  /** Requests in flight beyond this are refused with 503. */
  readonly concurrencyLimit: number;
  /** Global `preHandler` middleware, sorted by priority (stable for equal priorities). */
  readonly middleware: readonly HttpMiddlewareEntry[];
  /** Largest request body accepted, in bytes (ours; the real engine has none). */
  readonly bodyLimit: number;
}

export const HTTP_CONFIG_DEFAULTS = {
  port: 3111,
  host: '0.0.0.0',
  defaultTimeoutMs: 30_000,
  concurrencyLimit: 1024,
  bodyLimit: 1024 * 1024,
} as const;

/** Error code of every configuration problem of this worker. */
export const INVALID_HTTP_CONFIG = 'config_invalid';

const KNOWN_KEYS = new Set([
  'port',
  'host',
  'default_timeout',
  'cors',
  'concurrency_request_limit',
  'middleware',
  'body_limit',
  'json_bodies_only',
]);
const KNOWN_CORS_KEYS = new Set(['allowed_origins', 'allowed_methods']);
const KNOWN_MIDDLEWARE_KEYS = new Set(['function_id', 'phase', 'priority']);

function fail(message: string): never {
  throw new EngineError(INVALID_HTTP_CONFIG, `iii-http config: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUnknownKeys(record: Record<string, unknown>, known: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0) fail(`unknown key(s) ${unknown.map((k) => `'${k}'`).join(', ')} in ${where}`);
}

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`'${name}' must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(`'${name}' must be a list of strings`);
  }
  return value as string[];
}

function parseCors(raw: unknown): HttpCorsConfig | null {
  if (raw === undefined || raw === null) return null;
  // Ours: `cors: false` sends no CORS headers at all (browsers then refuse cross-origin reads).
  if (raw === false || raw === 'false') return { allowedOrigins: [], allowedMethods: null };
  if (!isRecord(raw)) fail(`'cors' must be an object`);
  refuseUnknownKeys(raw, KNOWN_CORS_KEYS, `'cors'`);
  const origins = stringList(raw.allowed_origins, 'cors.allowed_origins');
  const methods = stringList(raw.allowed_methods, 'cors.allowed_methods').map((m) => m.toUpperCase());
  return {
    allowedOrigins: origins.length === 0 || origins.includes('*') ? null : origins,
    allowedMethods: methods.length === 0 || methods.includes('*') ? null : methods,
  };
}

function parseMiddleware(raw: unknown): HttpMiddlewareEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(`'middleware' must be a list`);
  const entries = raw.map((item, index): HttpMiddlewareEntry => {
    if (!isRecord(item)) fail(`middleware[${index}] must be an object`);
    refuseUnknownKeys(item, KNOWN_MIDDLEWARE_KEYS, `middleware[${index}]`);
    if (typeof item.function_id !== 'string' || item.function_id === '') {
      fail(`middleware[${index}].function_id must be a non-empty string`);
    }
    if (item.phase !== undefined && typeof item.phase !== 'string') fail(`middleware[${index}].phase must be a string`);
    return {
      functionId: item.function_id,
      phase: (item.phase as string | undefined) ?? 'preHandler',
      priority: integer(item.priority, `middleware[${index}].priority`, 0, -(2 ** 31), 2 ** 31 - 1),
    };
  });
  // Only the preHandler phase exists; other phases are accepted (forward compatibility) but never run.
  // Array.prototype.sort is stable, so equal priorities keep their config order.
  return entries.filter((entry) => entry.phase === 'preHandler').sort((a, b) => a.priority - b.priority);
}

/** Checks and defaults the worker's config block; throws `config_invalid` naming the culprit. */
export function parseHttpConfig(raw: Record<string, unknown> | null | undefined): HttpWorkerConfig {
  const config = raw ?? {};
  if (!isRecord(config)) fail('the config block must be an object');
  refuseUnknownKeys(config, KNOWN_KEYS, 'the config block');
  if (config.host !== undefined && (typeof config.host !== 'string' || config.host === '')) {
    fail(`'host' must be a non-empty string`);
  }
  return {
    port: integer(config.port, 'port', HTTP_CONFIG_DEFAULTS.port, 0, 65535),
    host: (config.host as string | undefined) ?? HTTP_CONFIG_DEFAULTS.host,
    defaultTimeoutMs: integer(config.default_timeout, 'default_timeout', HTTP_CONFIG_DEFAULTS.defaultTimeoutMs, 1, 2 ** 31 - 1),
    cors: parseCors(config.cors),
    // 0 would refuse every request; the real engine clamps it to 1 and so do we.
    concurrencyLimit: Math.max(
      1,
      integer(
        config.concurrency_request_limit,
        'concurrency_request_limit',
        HTTP_CONFIG_DEFAULTS.concurrencyLimit,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
    ),
    middleware: parseMiddleware(config.middleware),
    jsonBodiesOnly: config.json_bodies_only === true || config.json_bodies_only === 'true',
    bodyLimit: integer(config.body_limit, 'body_limit', HTTP_CONFIG_DEFAULTS.bodyLimit, 0, 2 ** 31 - 1),
  };
}
