/**
 * Recent invocations and per-second throughput/latency, for the dev console. Fed by the engine
 * core's invocation observer; bounded (the last `RECENT` calls, the last `SECONDS` seconds).
 */
import { performance } from 'node:perf_hooks';

/** One finished invocation. */
export interface InvocationRecord {
  functionId: string;
  /** Wall-clock start, epoch milliseconds. */
  at: number;
  durationMs: number;
  /** The error message, for a call that failed. */
  error?: string;
}

/** One second of calls: how many, how many failed, their mean and worst duration. */
export interface ThroughputPoint {
  /** Epoch second. */
  t: number;
  calls: number;
  errors: number;
  meanMs: number;
  maxMs: number;
}

const RECENT = 100;
const SECONDS = 60;

interface Bucket {
  calls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export class InvocationRecorder {
  private readonly recentCalls: InvocationRecord[] = [];
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    /** Function ids not recorded (the console's own reads never go through `invoke`, but tools polling do). */
    private readonly ignore: (functionId: string) => boolean = () => false,
  ) {}

  /** The engine core's observer: records the call when it settles, never touches its outcome. */
  readonly observe = (functionId: string, result: Promise<unknown>): void => {
    if (this.ignore(functionId)) return;
    const at = Date.now();
    const start = performance.now();
    result.then(
      () => this.record({ functionId, at, durationMs: performance.now() - start }),
      (error: unknown) => this.record({ functionId, at, durationMs: performance.now() - start, error: messageOf(error) }),
    );
  };

  /** The last calls, newest first. */
  recent(): InvocationRecord[] {
    return [...this.recentCalls].reverse();
  }

  /** One point per second of the last minute, oldest first (seconds without calls included). */
  series(nowMs: number = Date.now()): ThroughputPoint[] {
    const now = Math.floor(nowMs / 1000);
    const points: ThroughputPoint[] = [];
    for (let t = now - SECONDS + 1; t <= now; t++) {
      const b = this.buckets.get(t);
      points.push(
        b === undefined
          ? { t, calls: 0, errors: 0, meanMs: 0, maxMs: 0 }
          : { t, calls: b.calls, errors: b.errors, meanMs: b.totalMs / b.calls, maxMs: b.maxMs },
      );
    }
    return points;
  }

  private record(call: InvocationRecord): void {
    this.recentCalls.push(call);
    if (this.recentCalls.length > RECENT) this.recentCalls.shift();
    const second = Math.floor((call.at + call.durationMs) / 1000);
    const bucket = this.buckets.get(second) ?? { calls: 0, errors: 0, totalMs: 0, maxMs: 0 };
    bucket.calls++;
    if (call.error !== undefined) bucket.errors++;
    bucket.totalMs += call.durationMs;
    bucket.maxMs = Math.max(bucket.maxMs, call.durationMs);
    this.buckets.set(second, bucket);
    for (const t of this.buckets.keys()) if (t <= second - SECONDS) this.buckets.delete(t);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
