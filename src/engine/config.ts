import type { EngineSemantics } from './core/semantics';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EngineError } from './core/errors';
import { isPlainObject } from './core/ids';

/** One `workers:` entry of config.yaml. */
export interface WorkerConfigEntry {
  name: string;
  config: Record<string, unknown>;
}

/** The subset of the iii engine's config.yaml this engine reads. */
export interface EngineConfig {
  workers: WorkerConfigEntry[];
  /**
   * Ours (top-level `ownership: true`): a function id or HTTP route registered by one worker
   * cannot be taken over by another while it is connected. Absent/false: the real engine's
   * "last registration wins".
   */
  ownership?: boolean;
}

export const WORKER_MANAGER = 'iii-worker-manager';

/**
 * engine.md §1.2 defaults when no config is given. `iii-queue` is disabled by default in the real
 * engine (an external worker there); we enable it because the reference app (and most users)
 * expect `TriggerAction.Enqueue` to work out of the box with the embedded engine, except under
 * the `iii-0.22` semantics, which follow the real engine.
 */
export function defaultConfig(semantics: EngineSemantics = 'embedded'): EngineConfig {
  const workers: WorkerConfigEntry[] = [
    { name: WORKER_MANAGER, config: { port: 49134, host: '0.0.0.0' } },
    { name: 'iii-http', config: { port: 3111, host: '0.0.0.0' } },
    { name: 'iii-stream', config: { port: 3112, host: '0.0.0.0' } },
    { name: 'iii-state', config: {} },
    { name: 'iii-pubsub', config: {} },
    { name: 'iii-cron', config: {} },
  ];
  if (semantics === 'embedded') workers.push({ name: 'iii-queue', config: {} });
  return { workers };
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** `${VAR}` / `${VAR:default}` in one string; a value that is exactly one numeric placeholder becomes a number. */
export function expandString(value: string, env: NodeJS.ProcessEnv): string | number {
  const expanded = value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
    return env[name] ?? fallback ?? '';
  });
  if (WHOLE_PLACEHOLDER.test(value.trim()) && NUMBER.test(expanded.trim())) return Number(expanded.trim());
  return expanded;
}

/** Expands placeholders in every string of a parsed value (rebuilt as plain data objects). */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, depth = 0): unknown {
  if (depth > 64) throw new EngineError('config_invalid', 'config nesting is too deep');
  if (typeof value === 'string') return expandString(value, env);
  if (Array.isArray(value)) return value.map((item) => expandEnv(item, env, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandEnv(item, env, depth + 1)]));
  }
  return value;
}

/** Validates the shape of a parsed config and expands env placeholders; throws `config_invalid`. */
export function normalizeConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): EngineConfig {
  if (raw === null || raw === undefined) return { workers: [] };
  if (!isPlainObject(raw)) throw new EngineError('config_invalid', 'config must be a mapping with a `workers:` list');
  const workers = raw.workers ?? [];
  if (!Array.isArray(workers)) throw new EngineError('config_invalid', '`workers` must be a list');
  const ownership = expandEnv(raw.ownership, env);
  if (ownership !== undefined && ownership !== null && typeof ownership !== 'boolean' && ownership !== 'true' && ownership !== 'false') {
    throw new EngineError('config_invalid', '`ownership` must be true or false');
  }
  return {
    ...(ownership === undefined || ownership === null ? {} : { ownership: ownership === true || ownership === 'true' }),
    workers: workers.map((entry: unknown, index) => {
      if (!isPlainObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
        throw new EngineError('config_invalid', `workers[${index}] needs a string \`name\``);
      }
      const config = entry.config ?? {};
      if (!isPlainObject(config))
        throw new EngineError('config_invalid', `workers[${index}] (${entry.name}): \`config\` must be a mapping`);
      return { name: entry.name, config: expandEnv(config, env) as Record<string, unknown> };
    }),
  };
}

/** Parses config.yaml text. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): EngineConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new EngineError('config_invalid', `config.yaml is not valid YAML: ${(err as Error).message}`);
  }
  return normalizeConfig(raw, env);
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): EngineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EngineError('config_not_found', `cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, env);
}

/** The mandatory worker manager is added when the file lists none (engine.md §1.2). */
export function withMandatoryWorkers(config: EngineConfig): EngineConfig {
  if (config.workers.some((entry) => entry.name === WORKER_MANAGER)) return config;
  return { ...config, workers: [{ name: WORKER_MANAGER, config: {} }, ...config.workers] };
}
