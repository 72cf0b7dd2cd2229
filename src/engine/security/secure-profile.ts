/**
 * Secure defaults for an engine that serves one app (what `npm start` runs). A config file run
 * with `npm run engine -- --config` follows the file alone, as the real engine does; with the
 * profile, keys the file sets itself still win, and the profile only fills in the rest:
 *
 * - ownership of function ids and HTTP routes (no takeover by another worker);
 * - a worker secret on every worker listener without RBAC: the given one, else one generated into
 *   the data directory when the listener is bound beyond loopback;
 * - CORS off (or the given allow-list) and only JSON request bodies (415 otherwise);
 * - the stream socket accepts browser pages only from the allow-list and the app's own page.
 */
import { WORKER_MANAGER, type EngineConfig, type WorkerConfigEntry } from '../config';
import type { EngineLogger } from '../core/types';
import { isLoopbackHost, loadOrCreateWorkerToken } from './worker-token';

/** What `startEngine({ secure })` takes; every field is optional. */
export interface SecureEngineOptions {
  /** The worker secret (env `III_WORKER_TOKEN` in `npm start`). */
  workerToken?: string;
  /** Browser origins allowed by CORS and on the stream socket (env `III_CORS_ORIGINS`). */
  corsOrigins?: readonly string[];
}

export interface SecureProfileContext {
  /** Where a generated secret is kept; undefined for in-memory engines. */
  dataDir: string | undefined;
  logger: EngineLogger;
}

/** The config with the profile's defaults filled in. */
export function applySecureProfile(config: EngineConfig, options: SecureEngineOptions, context: SecureProfileContext): EngineConfig {
  const origins = [...(options.corsOrigins ?? [])];
  // One generated secret per engine, shared by all its exposed listeners.
  let generated: string | undefined;
  const generatedToken = (host: string): string => {
    if (generated !== undefined) return generated;
    const made = loadOrCreateWorkerToken(context.dataDir);
    const where = made.file === undefined ? 'kept in memory' : `${made.created ? 'written to' : 'read from'} ${made.file}`;
    context.logger.warn(`worker port bound to ${host}: workers must present the worker secret (${where})`);
    generated = made.token;
    return generated;
  };
  const workers = config.workers.map((entry): WorkerConfigEntry => {
    const own = { ...entry.config };
    if (entry.name === WORKER_MANAGER) secureWorkerListener(own, options, { logger: context.logger, generatedToken });
    if (entry.name === 'iii-http') {
      if (!('cors' in own)) own.cors = origins.length === 0 ? false : { allowed_origins: origins };
      if (!('json_bodies_only' in own)) own.json_bodies_only = true;
    }
    if (entry.name === 'iii-stream' && !('allowed_origins' in own)) own.allowed_origins = origins;
    return { name: entry.name, config: own };
  });
  return { ...config, ownership: config.ownership ?? true, workers };
}

interface ListenerSecrets {
  logger: EngineLogger;
  generatedToken(host: string): string;
}

function secureWorkerListener(config: Record<string, unknown>, options: SecureEngineOptions, secrets: ListenerSecrets): void {
  // An RBAC listener authenticates through its own auth function.
  if (config.auth_token !== undefined || config.rbac !== undefined) return;
  if (options.workerToken !== undefined && options.workerToken !== '') {
    config.auth_token = options.workerToken;
    return;
  }
  const host = typeof config.host === 'string' && config.host !== '' ? config.host : '0.0.0.0';
  if (isLoopbackHost(host)) {
    secrets.logger.warn(`worker port on ${host} accepts any local worker: no worker secret is configured (III_WORKER_TOKEN)`);
    return;
  }
  config.auth_token = secrets.generatedToken(host);
}
