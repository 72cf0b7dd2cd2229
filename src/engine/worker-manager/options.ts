import { isPlainObject } from '../core/ids';
import type { EngineLogger } from '../core/types';
import { parseRbacConfig, type RbacConfig } from './rbac';

/** One `iii-worker-manager` entry of config.yaml (engine.md §1.1). */
export interface WorkerManagerOptions {
  port: number;
  host: string;
  handshakeTimeoutMs: number;
  /** Called instead of the target for every non-`engine::` invocation on this listener (engine.md §13.3). */
  middlewareFunctionId?: string;
  /** Present ⇒ invocations are access-checked and registrations gated (engine.md §13). */
  rbac?: RbacConfig;
  /** Ours (`auth_token`): the secret every worker must send in `x-iii-worker-token`. */
  authToken?: string;
  /**
   * Ours (`auth_tokens: { name: secret, … }`, plus `auth_token` as `default`): every secret the
   * listener accepts, by the name that becomes the worker's principal.
   */
  secrets?: ReadonlyMap<string, string>;
}

export const DEFAULT_WORKER_PORT = 49134;
const KNOWN_KEYS = new Set(['port', 'host', 'handshake_timeout_ms', 'middleware_function_id', 'rbac', 'auth_token', 'auth_tokens']);

function toPort(value: unknown, fallback: number): number {
  const port = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  return fallback;
}

/** Reads a worker-manager `config:` block, logging (not failing on) unknown keys or bad values. */
export function parseWorkerManagerOptions(config: Record<string, unknown>, logger: EngineLogger): WorkerManagerOptions {
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) logger.warn(`iii-worker-manager: unknown option "${key}" ignored`);
  }
  const port = toPort(config.port, DEFAULT_WORKER_PORT);
  if (config.port !== undefined && port === DEFAULT_WORKER_PORT && config.port !== DEFAULT_WORKER_PORT) {
    logger.warn(`iii-worker-manager: invalid port ${JSON.stringify(config.port)}, using ${DEFAULT_WORKER_PORT}`);
  }
  const timeout = config.handshake_timeout_ms;
  const rbac = config.rbac;
  return {
    port,
    host: typeof config.host === 'string' && config.host !== '' ? config.host : '0.0.0.0',
    handshakeTimeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout : 10_000,
    middlewareFunctionId: typeof config.middleware_function_id === 'string' ? config.middleware_function_id : undefined,
    rbac: isPlainObject(rbac) ? parseRbacConfig(rbac, logger) : undefined,
    ...(typeof config.auth_token === 'string' && config.auth_token !== '' && { authToken: config.auth_token }),
    ...secretsOf(config, logger),
  };
}

function secretsOf(config: Record<string, unknown>, logger: EngineLogger): { secrets?: Map<string, string> } {
  const secrets = new Map<string, string>();
  if (typeof config.auth_token === 'string' && config.auth_token !== '') secrets.set('default', config.auth_token);
  if (isPlainObject(config.auth_tokens)) {
    for (const [name, secret] of Object.entries(config.auth_tokens)) {
      if (typeof secret === 'string' && secret !== '') secrets.set(name, secret);
      else logger.warn(`iii-worker-manager: auth_tokens.${name} is not a non-empty string; ignored`);
    }
  }
  return secrets.size === 0 ? {} : { secrets };
}
