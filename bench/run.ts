/**
 * `npm run bench` (add `-- --quick` for a smoke run of under a minute, no targets checked;
 * `-- --only=get,post` runs only the named scenarios, `-- --servers=ours,nest-fastify` only those servers).
 *
 * The reference app, started as `npm start` runs it, against peers written the way their users
 * write them (bench/peers), every server in its own process pinned to one core and every load
 * generator in its own process pinned to the other; figures are ratios to the peer measured in the
 * same run. Results go to bench/results/local/ (ignored by git: commit a chosen run on purpose).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { childrenCpuSeconds, LOAD_CPU, pin, pinned } from './lib/proc';
import { met, sectionMarkdown, targetsMarkdown, type Section } from './lib/report';
import { BASELINE_DIST, LABELS, shareServers, stopSharedServers, type ServerName } from './lib/servers';
import { httpPeers } from './scenarios/http';
import { fanOut, writeToSubscriber } from './scenarios/live';
import { coldStart, routeCount } from './scenarios/startup';
import { enginePaths, frameworkVsSdk } from './scenarios/in-process';
import { replicaThroughput } from './scenarios/replicas';
import { changeLogCost } from './scenarios/change-log';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/**
 * `--servers=ours,nest-fastify` narrows the peer tables to those servers; with `BENCH_BASELINE` the
 * baseline build runs beside `ours`.
 */
function pick(candidates: ServerName[]): ServerName[] {
  const servers =
    BASELINE_DIST === undefined
      ? candidates
      : candidates.flatMap((name): ServerName[] => (name === 'ours' ? ['baseline', 'ours'] : [name]));
  const wanted = process.argv
    .find((arg) => arg.startsWith('--servers='))
    ?.slice(10)
    .split(',');
  return wanted === undefined ? servers : servers.filter((name) => wanted.includes(name));
}

type Scenario = [id: string, run: () => Promise<Section>];
type Plan = Scenario[];

function plan(): Plan {
  if (quick) {
    // Every scenario once, with short unwarmed load runs and the GET, POST and latency scenarios
    // on the same two servers (SHARED_SERVERS): a quick run's time is mostly CPU spent starting
    // processes (the app alone takes 1-2 s of CPU) and running load generators.
    const two = pick(['ours', 'nest-fastify']);
    const load = { rounds: 1, seconds: 0.5, connections: 32, warmUpSeconds: 0 };
    return [
      ['get', () => httpPeers('GET', { ...load, subscribers: 0, servers: two })],
      ['post', () => httpPeers('POST', { ...load, subscribers: 20, servers: two })],
      ['latency', () => writeToSubscriber({ subscribers: 20, perSecond: 100, seconds: 0.5, rounds: 1, servers: two })],
      ['fan-out', () => fanOut({ clients: 500, changes: 3, processes: 2, settleMs: 200 })],
      ['routes', () => routeCount({ ...load, many: 100 })],
      ['cold-start', () => coldStart(1)],
      ['framework', () => frameworkVsSdk(32, 600)],
      ['replicas', () => replicaThroughput({ ...load, replicas: [2] })],
      ['change-log', () => changeLogCost({ rounds: 1, operations: 2_000, concurrency: 64, perSecond: 1_000, seconds: 1 })],
    ];
  }
  const peers = pick(['ours', 'nest-fastify', 'nest-express', 'node-http']);
  return [
    ['get', () => httpPeers('GET', { rounds: 3, seconds: 5, connections: 32, subscribers: 0, servers: peers })],
    ['post', () => httpPeers('POST', { rounds: 3, seconds: 5, connections: 32, subscribers: 100, servers: peers })],
    [
      'latency',
      () =>
        writeToSubscriber({
          subscribers: 100,
          perSecond: 200,
          seconds: 5,
          // p99 of one 5 s round swings widely on a shared machine; the report takes the median round.
          rounds: 3,
          servers: pick(['ours', 'nest-fastify', 'node-http']),
        }),
    ],
    [
      'latency-1000',
      () =>
        writeToSubscriber({
          subscribers: 1_000,
          perSecond: 1_000,
          seconds: 5,
          rounds: 1,
          servers: pick(['ours', 'nest-fastify']),
          absolute: { p50: 3, p99: 10 },
        }),
    ],
    ['fan-out', () => fanOut({ clients: 10_000, changes: 20, processes: 4 })],
    ['routes', () => routeCount({ many: 1_000, rounds: 3, seconds: 5, connections: 32 })],
    ['cold-start', () => coldStart(3)],
    ['framework', () => frameworkVsSdk(32, 20_000)],
    ['engine', () => enginePaths((full) => full)],
    ['replicas', () => replicaThroughput({ replicas: [1, 2, 3], rounds: 2, seconds: 5, connections: 32 })],
    ['change-log', () => changeLogCost({ rounds: 5, operations: 20_000, concurrency: 64, perSecond: 1_000, seconds: 10 })],
  ];
}

/** Runs one scenario and prints its table, its time and the CPU time of the processes it started. */
async function runScenario([id, scenario]: Scenario): Promise<Section> {
  const t0 = performance.now();
  const cpu0 = childrenCpuSeconds();
  // A scenario that fails (a server that never answers) is reported; the others still run.
  const section = await scenario().catch((error: unknown): Section => ({
    id,
    title: `${id}: failed`,
    columns: [],
    rows: [],
    notes: [String(error)],
    targets: [],
  }));
  const cpu = (childrenCpuSeconds() - cpu0).toFixed(1);
  console.log(`${sectionMarkdown(section, LABELS)}\n(${((performance.now() - t0) / 1000).toFixed(1)} s, its processes' CPU ${cpu} s)\n`);
  return section;
}

async function main(): Promise<void> {
  pin(process.pid, LOAD_CPU);
  const started = new Date();
  const machine = {
    host: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    pinned: pinned(),
  };
  const only = process.argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice(7)
    .split(',');
  if (quick) shareServers(['ours', 'nest-fastify']);
  const sections: Section[] = [];
  for (const scenario of plan().filter(([name]) => only === undefined || only.includes(name))) sections.push(await runScenario(scenario));
  await stopSharedServers();
  const targets = sections.flatMap((s) => s.targets);
  console.log(targetsMarkdown(sections, quick));
  const markdown = [
    `Benchmarks (${quick ? 'quick smoke run' : 'full run'}) ${started.toISOString()}, Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; ` +
      (machine.pinned
        ? `servers pinned to CPU 0, load generators to CPU 1 (taskset).`
        : 'no CPU pinning (taskset or a second core missing).'),
    '',
    targetsMarkdown(sections, quick),
    '',
    ...sections.map((s) => `${sectionMarkdown(s, LABELS)}\n`),
  ].join('\n');
  const directory = join(__dirname, '..', '..', 'bench', 'results', 'local');
  mkdirSync(directory, { recursive: true });
  const stamp = `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}`;
  const json = `${JSON.stringify({ date: started.toISOString(), quick, machine, sections }, null, 2)}\n`;
  for (const name of [stamp, quick ? 'quick' : 'latest']) {
    writeFileSync(join(directory, `${name}.json`), json);
    writeFileSync(join(directory, `${name}.md`), markdown);
  }
  console.log(
    `\nwritten to bench/results/local/${stamp}.{json,md}` +
      (quick ? '' : ` (${targets.filter(met).length} of ${targets.length} targets met)`),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
