/**
 * A mergeable latency histogram: logarithmic buckets 2 % wide from 10 µs, so load processes can
 * record millions of samples in a few hundred counters and the bench adds them up.
 */
const BASE = 0.01;
const GROWTH = Math.log(1.02);

/** Bucket index → count. */
export type Histogram = Record<number, number>;

export function record(histogram: Histogram, ms: number): void {
  const index = ms <= BASE ? 0 : Math.floor(Math.log(ms / BASE) / GROWTH);
  histogram[index] = (histogram[index] ?? 0) + 1;
}

export function merge(into: Histogram, from: Histogram): Histogram {
  for (const [index, count] of Object.entries(from)) into[Number(index)] = (into[Number(index)] ?? 0) + count;
  return into;
}

export function count(histogram: Histogram): number {
  return Object.values(histogram).reduce((sum, n) => sum + n, 0);
}

/** Upper edge of the bucket holding the p-th percentile, in ms (3 significant decimals). */
export function percentile(histogram: Histogram, p: number): number {
  const total = count(histogram);
  if (total === 0) return 0;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const index of Object.keys(histogram)
    .map(Number)
    .sort((a, b) => a - b)) {
    seen += histogram[index] as number;
    if (seen >= rank) return Number((BASE * Math.exp(GROWTH * (index + 1))).toFixed(3));
  }
  return 0;
}

/** Milliseconds on a clock every process on this machine shares. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
