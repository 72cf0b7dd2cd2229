/**
 * The `iii-state` block of config.yaml (engine.md §1.1):
 * `{ adapter?: {name, config?}, triggers_enabled?: bool, max_value_bytes?: int>=1, save_interval_ms?: 100..3600000 }`,
 * plus two blocks of ours: `reactions: {max_attempts, backoff_ms, max_backoff_ms, concurrency, buffer_size}`
 * and `change_log: {max_records, max_age_ms}`.
 *
 * `adapter` and `save_interval_ms` are accepted for compatibility but change nothing here: values
 * always live in the engine's storage (`--data` SQLite or memory), which commits every write
 * before acknowledging it, so there is no flush interval to tune. The one exception is adapter
 * `bridge`, whose values live on another engine (`../../adapters/bridge`).
 */
import { EngineError } from '../../core/errors';
import { readBridgeAdapterConfig, type BridgeAdapterConfig } from '../../adapters/bridge/config';
import type { LogRetention } from '../../core/types';
import { parseReactionDefaults, parseRetention, type ReactionDefaults } from './reaction-policy';

export interface StateConfig {
  triggersEnabled: boolean;
  /** Largest accepted serialised value, in bytes; undefined = unlimited. */
  maxValueBytes: number | undefined;
  /** The configured adapter name, kept only to warn that it is not honoured. */
  adapterName: string | undefined;
  /** Set for adapter `bridge`: every `state::*` call is forwarded to that engine. */
  bridge: BridgeAdapterConfig | undefined;
  /** `reactions:` — retries, backoff and parallelism of state-trigger delivery (our extension). */
  reactions: ReactionDefaults;
  /** `change_log:` — how much of the state change log is kept (our extension). */
  retention: LogRetention;
}

const MIN_SAVE_INTERVAL_MS = 100;
const MAX_SAVE_INTERVAL_MS = 3_600_000;

export function parseStateConfig(raw: Record<string, unknown>): StateConfig {
  const triggersEnabled = raw['triggers_enabled'] ?? true;
  if (typeof triggersEnabled !== 'boolean') throw invalid('`triggers_enabled` must be a boolean');

  const maxValueBytes = raw['max_value_bytes'] ?? undefined;
  if (maxValueBytes !== undefined && !(Number.isSafeInteger(maxValueBytes) && (maxValueBytes as number) >= 1)) {
    throw invalid('`max_value_bytes` must be an integer >= 1');
  }

  const saveInterval = raw['save_interval_ms'] ?? undefined;
  if (
    saveInterval !== undefined &&
    !(
      Number.isSafeInteger(saveInterval) &&
      (saveInterval as number) >= MIN_SAVE_INTERVAL_MS &&
      (saveInterval as number) <= MAX_SAVE_INTERVAL_MS
    )
  ) {
    throw invalid(`\`save_interval_ms\` must be an integer between ${MIN_SAVE_INTERVAL_MS} and ${MAX_SAVE_INTERVAL_MS}`);
  }

  const adapterName = readAdapterName(raw['adapter']);
  let reactions: ReactionDefaults;
  let retention: LogRetention;
  try {
    reactions = parseReactionDefaults(raw['reactions']);
    retention = parseRetention(raw['change_log']);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  return {
    reactions,
    retention,
    triggersEnabled,
    maxValueBytes: maxValueBytes as number | undefined,
    adapterName,
    bridge: adapterName === 'bridge' ? readBridgeAdapterConfig((raw['adapter'] as Record<string, unknown>)['config'], invalid) : undefined,
  };
}

function readAdapterName(adapter: unknown): string | undefined {
  if (adapter === undefined || adapter === null) return undefined;
  if (typeof adapter !== 'object' || Array.isArray(adapter)) throw invalid('`adapter` must be a mapping');
  const name = (adapter as Record<string, unknown>)['name'];
  if (typeof name !== 'string') throw invalid('`adapter.name` must be a string');
  return name;
}

function invalid(reason: string): EngineError {
  return new EngineError('config_invalid', `iii-state: ${reason}`);
}
