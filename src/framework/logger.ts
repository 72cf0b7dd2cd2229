/** Where the framework writes what happened. Pass your own via `IIIFactory.create(..., { logger })`. */
export interface Logger {
  log(message: string): void;
  warn(message: string): void;
  /** `trace` is a stack: it goes to the log only, never to a client. */
  error(message: string, trace?: string): void;
}

/** The levels `III_LOG_LEVEL` names, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** `III_LOG_LEVEL` (`trace` counts as `debug`); default `warn`, so a healthy app prints nothing. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = (env.III_LOG_LEVEL ?? '').trim().toLowerCase();
  if (raw === 'trace') return 'debug';
  return Object.prototype.hasOwnProperty.call(RANK, raw) ? (raw as LogLevel) : 'warn';
}

/**
 * Writes to the console, `[context] message`. `log` lines are `info`: shown when the level is
 * `info` or `debug` (`III_LOG_LEVEL`, default `warn`).
 */
export class ConsoleLogger implements Logger {
  private readonly threshold: number;

  constructor(
    private readonly context = 'iii',
    level: LogLevel = logLevelFromEnv(),
  ) {
    this.threshold = RANK[level];
  }
  log(message: string): void {
    if (this.threshold <= RANK.info) console.log(`[${this.context}] ${message}`);
  }
  warn(message: string): void {
    if (this.threshold <= RANK.warn) console.warn(`[${this.context}] ${message}`);
  }
  error(message: string, trace?: string): void {
    if (this.threshold <= RANK.error) console.error(`[${this.context}] ${message}${trace !== undefined ? `\n${trace}` : ''}`);
  }
}

/** Drops everything (tests, benchmarks). */
export const silentLogger: Logger = { log() {}, warn() {}, error() {} };
