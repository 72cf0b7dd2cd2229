/**
 * An `http` trigger's config (engine.md §9.1) turned into a route description: its key (what replaces
 * what), its shape (what conflicts with what), the radix-router pattern, and where its path
 * parameters sit.
 */
import { EngineError } from '../../core/errors';
import { emptyRecord } from './request';

/** Methods the REST listener routes; others are accepted at registration but never served (engine.md §9.1). */
export const ROUTED_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
export type RoutedMethod = (typeof ROUTED_METHODS)[number];

export const INVALID_HTTP_TRIGGER = 'trigger_registration_failed';

export interface HttpRouteSpec {
  /** `api_path` exactly as registered; it is the payload's `path` (engine.md §9.2). */
  readonly apiPath: string;
  /** Upper-cased `http_method` (default GET). */
  readonly method: string;
  /** Whether `method` is one the listener serves. */
  readonly routed: boolean;
  /** `METHOD:path-without-leading-slash`; registering the same key again replaces the binding. */
  readonly key: string;
  /** `METHOD:` + the path with every parameter collapsed to `:`; equal shapes with different keys conflict. */
  readonly shape: string;
  /** find-my-way pattern: parameters renamed by position so equal shapes share one tree node. */
  readonly pattern: string;
  /** Non-empty segment count, and where the parameters sit among those segments (spec extraction rule). */
  readonly segmentCount: number;
  readonly params: ReadonlyArray<readonly [position: number, name: string]>;
  readonly conditionFunctionId: string | null;
  readonly middlewareFunctionIds: readonly string[];
}

function fail(message: string): never {
  throw new EngineError(INVALID_HTTP_TRIGGER, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A literal segment for find-my-way: `:` must be doubled to stay literal. */
function escapeLiteral(segment: string): string {
  return segment.replace(/:/g, '::');
}

/** Parses and checks an `http` trigger config; throws with the engine's own messages. */
export function parseRouteSpec(config: unknown): HttpRouteSpec {
  const record = isRecord(config) ? config : {};
  const apiPath = record.api_path;
  if (typeof apiPath !== 'string') fail('api_path is required for http triggers');
  // find-my-way would read `*` as a wildcard; the engine has no wildcard routes (engine.md §9.1), so say so
  // instead of silently serving a catch-all.
  if (apiPath.includes('*')) fail(`api_path '${apiPath}' contains '*': wildcard routes are not supported`);
  if (apiPath.includes('?') || apiPath.includes('#')) fail(`api_path '${apiPath}' must not contain '?' or '#'`);

  const method = typeof record.http_method === 'string' ? record.http_method.toUpperCase() : 'GET';
  const relative = apiPath.replace(/^\/+/, '');
  const rawSegments = relative.split('/');

  const params: Array<readonly [number, string]> = [];
  const patternParts: string[] = [];
  const shapeParts: string[] = [];
  let position = 0;
  for (const segment of rawSegments) {
    if (segment.startsWith(':')) {
      params.push([position, segment.slice(1)]);
      patternParts.push(`:p${params.length - 1}`);
      shapeParts.push(':');
    } else {
      patternParts.push(escapeLiteral(segment));
      shapeParts.push(segment);
    }
    if (segment !== '') position += 1;
  }

  const middleware = Array.isArray(record.middleware_function_ids)
    ? record.middleware_function_ids.filter((id): id is string => typeof id === 'string')
    : [];
  const condition = typeof record.condition_function_id === 'string' ? record.condition_function_id : null;

  return {
    apiPath,
    method,
    routed: (ROUTED_METHODS as readonly string[]).includes(method),
    key: `${method}:${apiPath === '/' ? '/' : relative}`,
    shape: `${method}:/${shapeParts.join('/')}`,
    pattern: `/${patternParts.join('/')}`,
    segmentCount: position,
    params,
    conditionFunctionId: condition,
    middlewareFunctionIds: middleware,
  };
}

/** Non-empty `/`-separated segments of a path, counted without splitting it (every request's path passes here). */
export function countSegments(rawPath: string): number {
  let count = 0;
  for (let start = 0; start <= rawPath.length;) {
    const slash = rawPath.indexOf('/', start);
    const end = slash === -1 ? rawPath.length : slash;
    if (end > start) count++;
    start = end + 1;
  }
  return count;
}

/**
 * Path parameters by position from the request path, percent-decoded (`/todos/a%20b` gives
 * `a b`; the real engine passes the raw text, which no handler expects). A segment whose
 * encoding is broken is kept as sent. Empty segments are ignored on both sides and a
 * segment-count mismatch yields no parameters. A record without inherited keys (`emptyRecord`), so
 * a parameter named `__proto__` is an ordinary key.
 */
export function extractPathParams(spec: HttpRouteSpec, rawPath: string): Record<string, string> {
  const params = emptyRecord();
  const wanted = spec.params;
  if (wanted.length === 0 || countSegments(rawPath) !== spec.segmentCount) return params;
  // One walk over the segments; `wanted` is in position order.
  let next = 0;
  let position = 0;
  for (let start = 0; next < wanted.length && start <= rawPath.length;) {
    const slash = rawPath.indexOf('/', start);
    const end = slash === -1 ? rawPath.length : slash;
    if (end > start) {
      const [at, name] = wanted[next] as readonly [number, string];
      if (at === position) {
        params[name] = decodeSegment(rawPath.slice(start, end));
        next++;
      }
      position++;
    }
    start = end + 1;
  }
  return params;
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
