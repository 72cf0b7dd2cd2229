/**
 * The `config` of a `bridge` adapter (engine.md §7.4, §1.3): `{ bridge_url, call_timeout_ms?,
 * connect_wait_ms? }`. `bridge_url` defaults to `ws://localhost:49134` like the reference engine;
 * the two timeouts are ours (how long one forwarded call may take, and how long a call made while
 * the bridge is (re)connecting waits before failing with `BRIDGE_UNAVAILABLE`).
 */
import type { EngineError } from '../../core/errors';

export interface BridgeAdapterConfig {
  /** `ws://` or `wss://` URL of the other engine's worker listener. */
  url: string;
  callTimeoutMs: number;
  connectWaitMs: number;
}

export const DEFAULT_BRIDGE_URL = 'ws://localhost:49134';
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_WAIT_MS = 3_000;

const KNOWN_KEYS: ReadonlySet<string> = new Set(['bridge_url', 'call_timeout_ms', 'connect_wait_ms']);

/** Builds the worker's own configuration error (each worker keeps its established error code). */
export type ConfigErrorFactory = (reason: string) => EngineError;

/** Reads `adapter.config` of a `bridge` adapter; `raw` is undefined when the block is absent. */
export function readBridgeAdapterConfig(raw: unknown, invalid: ConfigErrorFactory): BridgeAdapterConfig {
  if (raw === undefined || raw === null) {
    return { url: DEFAULT_BRIDGE_URL, callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS, connectWaitMs: DEFAULT_CONNECT_WAIT_MS };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('`adapter.config` of the bridge adapter must be a mapping');
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_KEYS.has(key)) {
      throw invalid(`unknown bridge adapter option \`${key}\`, expected one of ${[...KNOWN_KEYS].map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  return {
    url: readUrl(fields['bridge_url'], invalid),
    callTimeoutMs: readMs(fields['call_timeout_ms'], 'call_timeout_ms', DEFAULT_CALL_TIMEOUT_MS, invalid),
    connectWaitMs: readMs(fields['connect_wait_ms'], 'connect_wait_ms', DEFAULT_CONNECT_WAIT_MS, invalid),
  };
}

function readUrl(value: unknown, invalid: ConfigErrorFactory): string {
  if (value === undefined || value === null) return DEFAULT_BRIDGE_URL;
  if (typeof value !== 'string' || value.trim() === '') throw invalid('`bridge_url` must be a non-empty string');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(`\`bridge_url\` is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw invalid(`\`bridge_url\` must be a ws:// or wss:// URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A whole number of milliseconds in [0, 24h]; numeric strings are accepted (they come from `${VAR:…}`). */
function readMs(value: unknown, name: string, fallback: number, invalid: ConfigErrorFactory): number {
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 0 || parsed > 86_400_000) {
    throw invalid(`\`${name}\` must be an integer number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
