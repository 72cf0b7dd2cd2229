/**
 * What the state change log costs: durable state writes/s with the log vs without it (the same
 * group-committed SQLite write, alternating rounds in one process pinned to the server core), the
 * same writes end to end through the engine from a worker in another process, and how far state
 * reactions trail the writes at a fixed rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, percentile, type Histogram } from '../lib/histogram';
import { SERVER_CPU, startLoad, startServer } from '../lib/proc';
import { median, type Section } from '../lib/report';

export interface ChangeLogOptions {
  /** Alternating logged/plain rounds at the storage level. */
  rounds: number;
  operations: number;
  concurrency: number;
  /** Writes per second and seconds of the reaction-lag run. */
  perSecond: number;
  seconds: number;
}

export async function changeLogCost(options: ChangeLogOptions): Promise<Section> {
  const storage = await storageRounds(options);
  const engine = await throughEngine(options);
  // The writes are CPU-bound on one core: on an idle machine the throughput ratio and the inverse
  // CPU-per-write ratio are the same figure, and CPU time stays steady when neighbours steal the core.
  const ratio = storage.plainCpu / storage.loggedCpu;
  const lagP99 = percentile(engine.lag, 99);
  return {
    id: 'change-log',
    title: `state change log: durable writes with vs without it (${options.concurrency} in flight), reaction lag at ${options.perSecond} writes/s`,
    peer: 'state write without the change log (storage level)',
    columns: [
      { key: 'ops', label: 'storage writes/s' },
      { key: 'cpu', label: 'storage CPU µs/write' },
      { key: 'engine', label: 'engine writes/s' },
      { key: 'p50', label: 'lag p50 ms' },
      { key: 'p99', label: 'lag p99 ms' },
    ],
    rows: [
      { server: 'state write without the change log (storage level)', values: { ops: storage.plain, cpu: storage.plainCpu } },
      { server: 'state write with its change record (storage level)', values: { ops: storage.logged, cpu: storage.loggedCpu } },
      { server: 'state::set through the engine, from a worker process', values: { engine: engine.opsPerSecond } },
      {
        server: `state reaction after state::set at ${options.perSecond}/s (write sent → reaction called)`,
        values: { p50: percentile(engine.lag, 50), p99: lagP99 },
      },
    ],
    notes: [
      `Storage level: median of ${options.rounds} alternating rounds of ${options.operations} writes in one process pinned to the server core; ` +
        `rounds (writes/s): plain ${storage.plainRounds.join(', ')}; logged ${storage.loggedRounds.join(', ')}; ` +
        `logged/plain per round ${storage.loggedRounds.map((logged, i) => (logged / (storage.plainRounds[i] ?? NaN)).toFixed(2)).join(', ')}; ` +
        `CPU µs per write: plain ${storage.plainCpuRounds.join(', ')}; logged ${storage.loggedCpuRounds.join(', ')} ` +
        `(the target's ratio: median plain CPU per write over median logged, ${(storage.plainCpu / storage.loggedCpu).toFixed(3)}; ` +
        `the ratio of the median writes/s ${(storage.logged / storage.plain).toFixed(3)}).`,
      `Through the engine: the engine (\`dist/src/engine/cli.js\`, SQLite) pinned to the server core, the writer and the reaction in one ` +
        `iii-sdk worker process on the load core. Reaction lag: ${count(engine.lag)} of ${engine.written} writes reacted to; ` +
        `state::set acknowledgement p99 ${percentile(engine.ack, 99)} ms.`,
    ],
    targets: [{ what: 'durable state writes with the change log vs without', measured: ratio, unit: 'x', atLeast: 0.8 }],
  };
}

async function storageRounds(options: ChangeLogOptions): Promise<{
  plain: number;
  logged: number;
  plainRounds: number[];
  loggedRounds: number[];
  plainCpu: number;
  loggedCpu: number;
  plainCpuRounds: number[];
  loggedCpuRounds: number[];
}> {
  const store = startLoad('state-store.js', {}, SERVER_CPU);
  try {
    await store.next('ready');
    const rounds = { plain: [] as number[], logged: [] as number[] };
    const cpu = { plain: [] as number[], logged: [] as number[] };
    const go = (mode: 'plain' | 'logged', operations: number): Promise<{ opsPerSecond: number; cpuMicros: number }> =>
      store.ask<{ opsPerSecond: number; cpuMicros: number }>({ type: 'go', mode, operations, concurrency: options.concurrency }, 'result');
    // Warm-up of both paths (JIT, SQLite page cache), not counted.
    await go('plain', Math.ceil(options.operations / 4));
    await go('logged', Math.ceil(options.operations / 4));
    for (let round = 0; round < options.rounds; round++) {
      const order: Array<'plain' | 'logged'> = round % 2 === 0 ? ['plain', 'logged'] : ['logged', 'plain'];
      for (const mode of order) {
        const result = await go(mode, options.operations);
        rounds[mode].push(Math.round(result.opsPerSecond));
        cpu[mode].push(Number(result.cpuMicros.toFixed(1)));
      }
    }
    return {
      plain: median(rounds.plain),
      logged: median(rounds.logged),
      plainRounds: rounds.plain,
      loggedRounds: rounds.logged,
      plainCpu: median(cpu.plain),
      loggedCpu: median(cpu.logged),
      plainCpuRounds: cpu.plain,
      loggedCpuRounds: cpu.logged,
    };
  } finally {
    await store.stop();
  }
}

async function throughEngine(
  options: ChangeLogOptions,
): Promise<{ opsPerSecond: number; lag: Histogram; ack: Histogram; written: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iii-bench-engine-'));
  let worker = '';
  const engine = await startServer({
    name: 'engine',
    script: 'src/engine/cli.js',
    args: ['--data', dataDir, '--ephemeral', '--host', '127.0.0.1'],
    env: { III_LOG_LEVEL: 'error' },
    ready(output) {
      const line = /III_ENGINE_READY (\{.*\})/.exec(output)?.[1];
      if (line === undefined) return undefined;
      const urls = JSON.parse(line) as { worker: string; http?: string };
      worker = urls.worker;
      return { http: urls.http ?? '' };
    },
  });
  const writer = startLoad('state-writer.js', { worker });
  try {
    await writer.next('ready');
    await writer.ask({ type: 'throughput', operations: Math.ceil(options.operations / 4), concurrency: options.concurrency }, 'result');
    const throughput = await writer.ask<{ opsPerSecond: number }>(
      { type: 'throughput', operations: options.operations, concurrency: options.concurrency },
      'result',
    );
    const lag = await writer.ask<{ lag: Histogram; ack: Histogram; written: number; error?: string }>(
      { type: 'lag', perSecond: options.perSecond, seconds: options.seconds },
      'result',
      (options.seconds + 60) * 1000,
    );
    if (lag.error !== undefined) throw new Error(lag.error);
    return { opsPerSecond: Math.round(throughput.opsPerSecond), lag: lag.lag, ack: lag.ack, written: lag.written };
  } finally {
    await writer.stop();
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
