/**
 * `npm run bench`: runs every scenario once, bounded in count and time, on loopback only, and
 * writes bench/results/latest.json plus a Markdown table (bench/results/latest.md) that the README
 * summarises. Set BENCH_QUICK=1 for a smoke run with small counts.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { heapUsedMiB, rssMiB, type BenchResult } from './lib/measure';
import { durableStateWrites, httpTrigger, invokeRoundTrip, streamFanOut } from './scenarios/engine';
import { frameworkOverhead, todoCrud } from './scenarios/app';

const quick = process.env.BENCH_QUICK === '1';
const n = (full: number): number => (quick ? Math.max(50, Math.floor(full / 20)) : full);

async function main(): Promise<void> {
  const results: BenchResult[] = [];
  const memory: Record<string, number> = { startupRssMiB: rssMiB(), startupHeapMiB: heapUsedMiB() };
  const scenarios: Array<() => Promise<BenchResult | BenchResult[]>> = [
    () => invokeRoundTrip(1, n(5_000)),
    () => invokeRoundTrip(64, n(40_000)),
    () => durableStateWrites(64, n(20_000)),
    () => httpTrigger(32, n(20_000)),
    () => streamFanOut(quick ? 20 : 200, quick ? 20 : 200),
    () => frameworkOverhead(32, n(20_000)),
    () => todoCrud(32, n(10_000)),
  ];
  for (const scenario of scenarios) {
    const outcome = await scenario();
    for (const result of Array.isArray(outcome) ? outcome : [outcome]) {
      // Heap left reachable after the scenario closed everything: growth here would be a leak.
      result.extra = { ...result.extra, heapAfterMiB: heapUsedMiB() };
      results.push(result);
      console.log(
        `${result.name.padEnd(34)} ${String(result.opsPerSecond).padStart(8)} ops/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms`,
      );
    }
  }
  memory.finalRssMiB = rssMiB();
  memory.finalHeapMiB = heapUsedMiB();

  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  const directory = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const report = { date: new Date().toISOString(), quick, machine, memory, results };
  writeFileSync(join(directory, quick ? 'quick.json' : 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(directory, quick ? 'quick.md' : 'latest.md'), toMarkdown(report));
  console.log(`\nwritten to bench/results/${quick ? 'quick' : 'latest'}.{json,md}`);
}

function toMarkdown(report: {
  date: string;
  machine: Record<string, unknown>;
  memory: Record<string, number>;
  results: BenchResult[];
}): string {
  const rows = report.results.map(
    (r) =>
      `| ${r.name} | ${r.description} | ${r.concurrency} | ${r.operations} | ${r.opsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.extra?.heapAfterMiB ?? ''} |`,
  );
  return [
    `Benchmarks run ${report.date} on ${JSON.stringify(report.machine)}.`,
    '',
    '| scenario | what | concurrency | ops | ops/s | p50 ms | p99 ms | heap after (MiB) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Memory: live heap after GC ${report.memory.startupHeapMiB} MiB at start, ${report.memory.finalHeapMiB} MiB after every scenario closed its engine (a leak would show as growth); ` +
      `RSS ${report.memory.startupRssMiB} → ${report.memory.finalRssMiB} MiB (V8 keeps freed pages).`,
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
