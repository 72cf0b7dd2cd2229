import { isPlainObject } from '../core/ids';
import type { EngineLogger } from '../core/types';

/**
 * The `rbac` block of a worker-manager listener (engine.md §13) and the invocation policy built from
 * it. Pure: no sockets, no registry; the connection and the router ask it questions.
 */

/** One `expose_functions` entry: a glob on the function id, or exact/glob matches on its metadata. */
export type FunctionFilter =
  { kind: 'match'; pattern: string } | { kind: 'metadata'; expected: ReadonlyArray<readonly [key: string, matcher: MetadataMatcher]> };

export type MetadataMatcher = { kind: 'exact'; value: unknown } | { kind: 'glob'; pattern: string };

export interface RbacConfig {
  authFunctionId?: string;
  exposeFunctions: readonly FunctionFilter[];
  onFunctionRegistrationFunctionId?: string;
  onTriggerRegistrationFunctionId?: string;
  onTriggerTypeRegistrationFunctionId?: string;
}

/** The per-connection grants an auth function returned (engine.md §13.1 `AuthResult`). */
export interface Session {
  readonly allowedFunctions: readonly string[];
  readonly forbiddenFunctions: readonly string[];
  /** Absent ⇒ triggers of every type may be registered. */
  readonly allowedTriggerTypes?: readonly string[];
  readonly allowTriggerTypeRegistration: boolean;
  readonly allowFunctionRegistration: boolean;
  /** Forwarded to the middleware and the registration hooks. */
  readonly context: unknown;
  readonly functionRegistrationPrefix?: string;
}

/** A connection on a listener without an auth function may do anything (engine.md §13.1). */
export const OPEN_SESSION: Session = Object.freeze({
  allowedFunctions: [],
  forbiddenFunctions: [],
  allowTriggerTypeRegistration: true,
  allowFunctionRegistration: true,
  context: {},
});

/** Built-ins every RBAC session may call so that logging, channels and worker metadata keep working. */
export const INFRASTRUCTURE_FUNCTIONS: ReadonlySet<string> = new Set([
  'engine::channels::create',
  'engine::workers::register',
  'engine::log::info',
  'engine::log::warn',
  'engine::log::error',
  'engine::log::debug',
  'engine::log::trace',
  'engine::baggage::get',
  'engine::baggage::set',
  'engine::baggage::get_all',
]);

/** `*` = any run of characters; the pattern is anchored at both ends. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const found = value.indexOf(part, position);
    if (found < 0) return false;
    position = found + part.length;
  }
  return value.length - last.length >= position && value.endsWith(last);
}

const MATCH_CALL = /^match\((["'])(.*)\1\)$/s;

/** `match("glob")` (or single quotes) → the glob; anything else → undefined. */
export function parseMatchCall(text: string): string | undefined {
  return MATCH_CALL.exec(text.trim())?.[2];
}

function parseFilter(raw: unknown, index: number, logger: EngineLogger): FunctionFilter | undefined {
  if (typeof raw === 'string') {
    const pattern = parseMatchCall(raw);
    if (pattern !== undefined) return { kind: 'match', pattern };
  } else if (isPlainObject(raw)) {
    if (typeof raw.match === 'string' && raw.metadata === undefined) return { kind: 'match', pattern: raw.match };
    if (isPlainObject(raw.metadata) && raw.match === undefined) {
      const expected = Object.entries(raw.metadata).map(([key, value]): [string, MetadataMatcher] => {
        const pattern = typeof value === 'string' ? parseMatchCall(value) : undefined;
        return [key, pattern === undefined ? { kind: 'exact', value } : { kind: 'glob', pattern }];
      });
      return { kind: 'metadata', expected };
    }
  }
  logger.warn(`iii-worker-manager: rbac.expose_functions[${index}] ignored (expected match("glob") or {metadata: {...}})`);
  return undefined;
}

function optionalId(rbac: Record<string, unknown>, key: string, logger: EngineLogger): string | undefined {
  const value = rbac[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  logger.warn(`iii-worker-manager: rbac.${key} must be a function id; ignored`);
  return undefined;
}

/** Reads an `rbac:` block; bad entries are logged and skipped (they never widen access). */
export function parseRbacConfig(rbac: Record<string, unknown>, logger: EngineLogger): RbacConfig {
  const rawFilters = rbac.expose_functions ?? [];
  const filters = Array.isArray(rawFilters) ? rawFilters : [];
  if (!Array.isArray(rawFilters)) logger.warn('iii-worker-manager: rbac.expose_functions must be a list; nothing exposed');
  return {
    authFunctionId: optionalId(rbac, 'auth_function_id', logger),
    exposeFunctions: filters
      .map((raw, index) => parseFilter(raw, index, logger))
      .filter((filter): filter is FunctionFilter => filter !== undefined),
    onFunctionRegistrationFunctionId: optionalId(rbac, 'on_function_registration_function_id', logger),
    onTriggerRegistrationFunctionId: optionalId(rbac, 'on_trigger_registration_function_id', logger),
    onTriggerTypeRegistrationFunctionId: optionalId(rbac, 'on_trigger_type_registration_function_id', logger),
  };
}

/** Structural JSON equality (key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

function metadataMatches(matcher: MetadataMatcher, value: unknown): boolean {
  if (matcher.kind === 'exact') return jsonEqual(matcher.value, value);
  return typeof value === 'string' && wildcardMatch(matcher.pattern, value);
}

export function filterMatches(filter: FunctionFilter, functionId: string, metadata: Record<string, unknown> | undefined): boolean {
  if (filter.kind === 'match') return wildcardMatch(filter.pattern, functionId);
  if (metadata === undefined) return false;
  return filter.expected.every(([key, matcher]) => Object.hasOwn(metadata, key) && metadataMatches(matcher, metadata[key]));
}

export type AccessDecision = 'allowed' | 'forbidden' | 'not_exposed';

/** engine.md §13.2, in order: forbidden, allowed, infrastructure carve-out, expose filters, deny. */
export function decideAccess(
  config: RbacConfig,
  session: Session,
  functionId: string,
  metadata: Record<string, unknown> | undefined,
): AccessDecision {
  if (session.forbiddenFunctions.includes(functionId)) return 'forbidden';
  if (session.allowedFunctions.includes(functionId)) return 'allowed';
  if (INFRASTRUCTURE_FUNCTIONS.has(functionId)) return 'allowed';
  if (config.exposeFunctions.some((filter) => filterMatches(filter, functionId, metadata))) return 'allowed';
  return 'not_exposed';
}

/** The `FORBIDDEN` message of engine.md §13.2 for a denial. */
export function forbiddenMessage(functionId: string, decision: Exclude<AccessDecision, 'allowed'>): string {
  const hint = decision === 'forbidden' ? 'remove from rbac.forbidden_functions' : 'add to rbac.expose_functions';
  return `function '${functionId}' not allowed (${hint})`;
}
