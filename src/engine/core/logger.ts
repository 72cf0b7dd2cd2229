import type { EngineLogger } from './types';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(RANK, value);
}

/**
 * The level comes from `III_LOG_LEVEL` (default `warn`). Under jest the default is `silent` so test
 * output stays readable; setting `III_LOG_LEVEL` explicitly still wins there.
 */
export function resolveLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = (env.III_LOG_LEVEL ?? '').trim().toLowerCase();
  if (raw === 'trace') return 'debug';
  if (raw !== '' && isLogLevel(raw)) return raw;
  return env.JEST_WORKER_ID !== undefined ? 'silent' : 'warn';
}

/** A sink receives one formatted line per record; tests pass their own to capture output. */
export type LogSink = (level: Exclude<LogLevel, 'silent'>, line: string) => void;

const defaultSink: LogSink = (level, line) => {
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return '';
  try {
    return ' ' + JSON.stringify(fields);
  } catch {
    return ' [unserializable fields]';
  }
}

/** A leveled logger; `scope` prefixes every line (e.g. `iii-state`). */
export function createLogger(options: { scope?: string; level?: LogLevel; sink?: LogSink } = {}): EngineLogger {
  const threshold = RANK[options.level ?? resolveLogLevel()];
  const sink = options.sink ?? defaultSink;
  const prefix = options.scope === undefined ? '' : `[${options.scope}] `;
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) return;
    sink(level, `${new Date().toISOString()} ${level.toUpperCase()} ${prefix}${message}${formatFields(fields)}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
