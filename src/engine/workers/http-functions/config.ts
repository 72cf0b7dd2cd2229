import { EngineError } from '../../core/errors';
import { isPlainObject } from '../../core/ids';
import type { EngineLogger } from '../../core/types';

/** `security:` of the `iii-http-functions` config (engine.md §11). */
export interface SecurityConfig {
  /** Host globs (`*`, `?`, `[...]`); a URL's host must match one. */
  readonly urlAllowlist: readonly string[];
  /** Refuse loopback/private/link-local targets, also when a host name resolves to one. */
  readonly blockPrivateIps: boolean;
  readonly requireHttps: boolean;
}

export interface HttpFunctionsConfig {
  readonly security: SecurityConfig;
}

const KNOWN_KEYS = new Set(['security']);
const SECURITY_KEYS = new Set(['url_allowlist', 'block_private_ips', 'require_https']);

function flag(security: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = security[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new EngineError('config_invalid', `iii-http-functions: security.${key} must be a boolean`);
  return value;
}

/** Reads the worker's `config:`; a wrong type is a startup error (a silently wider policy would be worse). */
export function parseHttpFunctionsConfig(config: Record<string, unknown>, logger: EngineLogger): HttpFunctionsConfig {
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) logger.warn(`iii-http-functions: unknown option "${key}" ignored`);
  }
  const raw = config.security ?? {};
  if (!isPlainObject(raw)) throw new EngineError('config_invalid', 'iii-http-functions: `security` must be a mapping');
  for (const key of Object.keys(raw)) {
    if (!SECURITY_KEYS.has(key)) logger.warn(`iii-http-functions: unknown option "security.${key}" ignored`);
  }
  const list = raw.url_allowlist ?? ['*'];
  if (!Array.isArray(list) || !list.every((item): item is string | number => typeof item === 'string' || typeof item === 'number')) {
    throw new EngineError('config_invalid', 'iii-http-functions: security.url_allowlist must be a list of host globs');
  }
  // YAML reads a bare `127.0.0.1` as a string, but a bare number-like host would come back numeric.
  const globs = list.map(String);
  return {
    security: {
      urlAllowlist: globs.length === 0 ? ['*'] : globs,
      blockPrivateIps: flag(raw, 'block_private_ips', true),
      requireHttps: flag(raw, 'require_https', true),
    },
  };
}
