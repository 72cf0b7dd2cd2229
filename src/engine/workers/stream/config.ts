/**
 * The `iii-stream` config block (engine.md §1.1): `{ port = 3112, host = "0.0.0.0", auth_function?,
 * adapter? }`, unknown keys refused like the reference engine's `deny_unknown_fields`.
 * `max_buffered_bytes` is ours: how much unsent data one client may pile up before it is dropped;
 * so is `event_log: { max_events, max_age_seconds }`: how much history each group keeps for
 * clients that resume with `since`; and `limits` (see `limits.ts`): what one client and all of them may hold.
 */
import { EngineError } from '../../core/errors';
import { readBridgeAdapterConfig, type BridgeAdapterConfig } from '../../adapters/bridge/config';
import type { EventLogRetention } from './event-log';
import { readStreamLimits, type StreamLimits } from './limits';

export const DEFAULT_STREAM_PORT = 3112;
export const DEFAULT_STREAM_HOST = '0.0.0.0';
/** Beyond this many unsent bytes a client is considered stuck and is disconnected. */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Default history per group: the last 10,000 events of the last 24 hours. */
export const DEFAULT_EVENT_LOG: EventLogRetention = { maxEvents: 10_000, maxAgeMs: 24 * 3600 * 1000 };

export interface StreamWorkerConfig {
  port: number;
  host: string;
  /** Function called before a client connection is upgraded; its `context` reaches join/leave triggers. */
  authFunction: string | undefined;
  maxBufferedBytes: number;
  /** Ours (`allowed_origins`): browser origins allowed to connect; undefined ⇒ any. */
  allowedOrigins: string[] | undefined;
  /** Set for adapter `bridge`: items live on that engine (`./bridge/`, over `adapters/bridge`). */
  bridge: BridgeAdapterConfig | undefined;
  /** History kept per group for resuming clients. */
  eventLog: EventLogRetention;
  /** Subscriptions, connections, frame rate and guard time per client. */
  limits: StreamLimits;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'port',
  'host',
  'auth_function',
  'adapter',
  'max_buffered_bytes',
  'event_log',
  'allowed_origins',
  'limits',
]);
const EVENT_LOG_KEYS: ReadonlySet<string> = new Set(['max_events', 'max_age_seconds']);

function configError(message: string): EngineError {
  return new EngineError('config_invalid', `iii-stream: ${message}`);
}

/** A whole number in [min, max]; numeric strings are accepted (they come from `${VAR:…}`). */
function integer(value: unknown, name: string, min: number, max: number): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw configError(`\`${name}\` must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw configError(`\`${name}\` must be a non-empty string`);
  return value;
}

/**
 * Items always live in the engine's own store (`EngineContext.storage`), which is what the `kv`
 * adapter means here (its `store_method`/`file_path` options are the engine storage's business).
 * Adapter `bridge` forwards to another engine (its config is returned); `redis` is refused
 * rather than silently replaced.
 */
function checkAdapter(value: unknown): BridgeAdapterConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw configError('`adapter` must be a map with a `name`');
  const name = (value as Record<string, unknown>).name;
  if (name === 'kv') return undefined;
  if (name === 'bridge') return readBridgeAdapterConfig((value as Record<string, unknown>).config, configError);
  if (name === 'redis') {
    throw configError(`adapter \`${name}\` is not supported by the embedded engine (use \`kv\`)`);
  }
  throw configError(`unknown adapter ${JSON.stringify(name)} (expected \`kv\`)`);
}

function readEventLog(value: unknown): EventLogRetention {
  if (value === undefined || value === null) return DEFAULT_EVENT_LOG;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError('`event_log` must be a map with `max_events` and/or `max_age_seconds`');
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!EVENT_LOG_KEYS.has(key)) throw configError(`unknown field \`event_log.${key}\`, expected \`max_events\` or \`max_age_seconds\``);
  }
  const maxEvents =
    raw.max_events === undefined ? DEFAULT_EVENT_LOG.maxEvents : integer(raw.max_events, 'event_log.max_events', 0, 10_000_000);
  const maxAgeSeconds =
    raw.max_age_seconds === undefined
      ? DEFAULT_EVENT_LOG.maxAgeMs / 1000
      : integer(raw.max_age_seconds, 'event_log.max_age_seconds', 1, 365 * 24 * 3600);
  return { maxEvents, maxAgeMs: maxAgeSeconds * 1000 };
}

export function parseStreamConfig(raw: Record<string, unknown> | undefined): StreamWorkerConfig {
  const config = raw ?? {};
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      throw configError(`unknown field \`${key}\`, expected one of ${[...KNOWN_KEYS].map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  const bridge = checkAdapter(config.adapter);
  const host = config.host === undefined || config.host === null ? DEFAULT_STREAM_HOST : optionalString(config.host, 'host');
  return {
    port: config.port === undefined || config.port === null ? DEFAULT_STREAM_PORT : integer(config.port, 'port', 0, 65535),
    host: host ?? DEFAULT_STREAM_HOST,
    authFunction: optionalString(config.auth_function, 'auth_function'),
    maxBufferedBytes:
      config.max_buffered_bytes === undefined || config.max_buffered_bytes === null
        ? DEFAULT_MAX_BUFFERED_BYTES
        : integer(config.max_buffered_bytes, 'max_buffered_bytes', 1, Number.MAX_SAFE_INTEGER),
    allowedOrigins: originList(config.allowed_origins),
    bridge,
    eventLog: readEventLog(config.event_log),
    limits: readStreamLimits(config.limits),
  };
}

function originList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw configError('`allowed_origins` must be a list of strings');
  }
  return value as string[];
}
