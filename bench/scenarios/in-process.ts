/** The in-process figures kept from the first bench: framework vs hand-written handler, engine paths. */
import { durableStateWrites, httpTrigger, invokeRoundTrip, streamFanOut } from './engine';
import { frameworkOverhead } from './app';
import type { BenchResult } from '../lib/measure';
import type { Section } from '../lib/report';

function rowOf(result: BenchResult): Section['rows'][number] {
  return {
    server: `${result.description}, ${result.concurrency} concurrent`,
    values: { ops: result.opsPerSecond, p50: result.latencyMs.p50, p99: result.latencyMs.p99 },
  };
}

const COLUMNS = [
  { key: 'ops', label: 'ops/s' },
  { key: 'p50', label: 'p50 ms' },
  { key: 'p99', label: 'p99 ms' },
];

/** The same GET handler as a `@Controller` method and registered by hand with iii-sdk, one engine. */
export async function frameworkVsSdk(concurrency: number, operations: number): Promise<Section> {
  const [raw, fw, piped] = (await frameworkOverhead(concurrency, operations)) as [BenchResult, BenchResult, BenchResult];
  return {
    id: 'framework-overhead',
    title: `framework handler vs hand-written iii-sdk handler (in-process fetch load, ${concurrency} concurrent, median of 5 alternating rounds after one warm-up round)`,
    peer: raw.description,
    columns: COLUMNS,
    rows: [rowOf(raw), rowOf(fw), rowOf(piped)],
    notes: [
      `Rounds (ops/s): hand-written ${raw.extra?.roundsOpsPerSecond}; framework ${fw.extra?.roundsOpsPerSecond}; ` +
        `framework with a guard, interceptor, pipe and filter ${piped.extra?.roundsOpsPerSecond}.`,
    ],
    targets: [
      {
        what: 'framework handler vs hand-written iii-sdk handler: throughput',
        measured: fw.opsPerSecond / raw.opsPerSecond,
        unit: 'x',
        atLeast: 0.97,
      },
      {
        what: 'framework handler with a guard, an interceptor, a pipe and a filter vs hand-written iii-sdk handler: throughput',
        measured: piped.opsPerSecond / raw.opsPerSecond,
        unit: 'x',
        atLeast: 0.9,
      },
    ],
  };
}

/** Engine paths measured from inside one process (no peer: for tracking across commits). */
export async function enginePaths(n: (full: number) => number): Promise<Section> {
  const results = [
    await invokeRoundTrip(1, n(5_000)),
    await invokeRoundTrip(64, n(40_000)),
    await durableStateWrites(64, n(20_000)),
    await httpTrigger(32, n(20_000)),
    await streamFanOut(200, 200),
  ];
  return {
    id: 'engine',
    title: 'engine paths, load from inside the engine process',
    columns: COLUMNS,
    rows: results.map(rowOf),
    notes: [],
    targets: [],
  };
}
