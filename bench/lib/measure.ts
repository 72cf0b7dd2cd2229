/** Latency/throughput bookkeeping for benchmarks: bounded in count and in time. */

/** Summary of one measured scenario. */
export interface BenchResult {
  name: string;
  description: string;
  operations: number;
  concurrency: number;
  seconds: number;
  opsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  extra?: Record<string, number | string>;
}

export interface RunOptions {
  /** Total operations to run (upper bound). */
  operations: number;
  /** Operations in flight at once. */
  concurrency: number;
  /** Stop early after this many milliseconds (safety bound). */
  maxMs?: number;
  /** Untimed operations first, so JIT and connection pools settle. */
  warmup?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return Number(sorted[index].toFixed(3));
}

/** Runs `op(i)` `operations` times with `concurrency` in flight; measures each call. */
export async function runLoad(
  name: string,
  description: string,
  op: (i: number) => Promise<unknown>,
  options: RunOptions,
): Promise<BenchResult> {
  const warmup = options.warmup ?? Math.min(200, Math.floor(options.operations / 10));
  for (let i = 0; i < warmup; i++) await op(-1 - i);

  const latencies: number[] = [];
  const deadline = Date.now() + (options.maxMs ?? 30_000);
  let next = 0;
  const started = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (next < options.operations && Date.now() < deadline) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await op(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    name,
    description,
    operations: latencies.length,
    concurrency: options.concurrency,
    seconds: Number(seconds.toFixed(3)),
    opsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
  };
}
