/** Where the framework writes what happened. Pass your own via `IIIFactory.create(..., { logger })`. */
export interface Logger {
  log(message: string): void;
  warn(message: string): void;
  /** `trace` is a stack: it goes to the log only, never to a client. */
  error(message: string, trace?: string): void;
}

export class ConsoleLogger implements Logger {
  constructor(private readonly context = 'iii') {}
  log(message: string): void {
    console.log(`[${this.context}] ${message}`);
  }
  warn(message: string): void {
    console.warn(`[${this.context}] ${message}`);
  }
  error(message: string, trace?: string): void {
    console.error(`[${this.context}] ${message}${trace !== undefined ? `\n${trace}` : ''}`);
  }
}

/** Drops everything (tests, benchmarks). */
export const silentLogger: Logger = { log() {}, warn() {}, error() {} };
