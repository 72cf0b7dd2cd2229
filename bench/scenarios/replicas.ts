/**
 * Replicas: one engine (`npm run engine`'s program) and 1, 2 or 3 copies of the reference app
 * connected to it (`III_URL=… npm start`), under the same HTTP load from another process. Each
 * figure is the median over rounds, with the CPU time of every server process (engine and
 * replicas) per request, and the ratio to one replica in the same run. After each POST run the
 * metrics are checked against the real counts: a reaction registered by N replicas must count
 * each change once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, startLoad, startServer, type RunningServer } from '../lib/proc';
import { median, ratio, type Section } from '../lib/report';

export interface ReplicaOptions {
  replicas: number[];
  rounds: number;
  seconds: number;
  connections: number;
  /** Seconds of unrecorded GET load per cluster first (default 1; 0 skips it: the quick run). */
  warmUpSeconds?: number;
}

interface Cluster {
  http: string;
  processes: RunningServer[];
  stop(): Promise<void>;
}

interface LoadResult {
  requestsPerSecond: number;
  ok: number;
  failed: number;
  p99: number;
  loadCpuShare: number;
}

/** The engine alone, then `count` replicas, each ready once it printed its banner. */
async function startCluster(count: number): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iii-bench-replicas-'));
  const processes: RunningServer[] = [];
  const stop = async (): Promise<void> => {
    for (const child of processes.reverse()) await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let worker = '';
    const engine = await startServer({
      name: 'engine',
      script: 'src/engine/cli.js',
      args: ['--data', dataDir, '--ephemeral', '--host', '127.0.0.1'],
      env: { III_LOG_LEVEL: 'error' },
      ready: (output) => {
        const match = /^III_ENGINE_READY (\{.*\})$/m.exec(output);
        if (match === null) return undefined;
        const urls = JSON.parse(match[1] as string) as { worker: string; http: string; stream?: string };
        worker = urls.worker;
        return { http: urls.http.replace(/\/$/, ''), stream: urls.stream };
      },
    });
    processes.push(engine);
    for (let i = 0; i < count; i++) {
      processes.push(
        await startServer({
          name: `replica-${i + 1}`,
          script: 'src/main.js',
          env: { III_URL: worker, III_LOG_LEVEL: 'error' },
          ready: (output) => (output.includes('Press Ctrl-C') ? engine.urls : undefined),
        }),
      );
    }
    return { http: engine.urls.http, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function loadRun(
  cluster: Cluster,
  config: { url: string; method: 'GET' | 'POST'; body?: string; connections: number; seconds: number },
) {
  const load = startLoad('http-load.js', config);
  const cpu = (): number[] => cluster.processes.map((p) => cpuSeconds(p.pid));
  try {
    await load.next('ready');
    const cpu0 = cpu();
    const run = await load.ask<LoadResult>({ type: 'go' }, 'result', (config.seconds + 30) * 1000);
    const used = cpu().map((seconds, i) => seconds - (cpu0[i] ?? 0));
    const total = used.reduce((sum, seconds) => sum + seconds, 0);
    // processes[0] is the engine; the others are the replicas, whose shares show the spread.
    const replicas = used.slice(1);
    const replicaTotal = replicas.reduce((sum, seconds) => sum + seconds, 0);
    return {
      ...run,
      cpuUsPerRequest: run.ok > 0 ? (total * 1e6) / run.ok : NaN,
      replicaShares: replicas.map((seconds) => (replicaTotal > 0 ? seconds / replicaTotal : NaN)),
    };
  } finally {
    await load.stop();
  }
}

/** Whether the metrics reaction caught up with exactly the real counts (bounded wait). */
async function metricsExact(http: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const todos = (await (await fetch(`${http}/todos`)).json()) as Array<{ completed: boolean }>;
    const metrics = (await (await fetch(`${http}/todos/metrics`)).json()) as { total: number; completed: number };
    if (metrics.total === todos.length && metrics.completed === todos.filter((t) => t.completed).length) return true;
    if (metrics.total > todos.length || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function replicaThroughput(options: ReplicaOptions): Promise<Section> {
  const body = JSON.stringify({ title: 'a todo from the load generator' });
  const runs = new Map<
    number,
    Array<{ get: number; getCpu: number; post: number; postCpu: number; failed: number; exact: boolean; shares: number[] }>
  >();
  for (let round = 0; round < options.rounds; round++) {
    // Alternate the order, so neither end of the run always gets the quieter machine.
    const order = round % 2 === 0 ? options.replicas : [...options.replicas].reverse();
    for (const count of order) {
      const cluster = await startCluster(count);
      try {
        const created = await fetch(`${cluster.http}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const todo = (await created.json()) as { id: string };
        const get = { url: `${cluster.http}/todos/${todo.id}`, method: 'GET' as const, connections: options.connections };
        const post = { url: `${cluster.http}/todos`, method: 'POST' as const, body, connections: options.connections };
        const warmUp = options.warmUpSeconds ?? 1;
        if (warmUp > 0) await loadRun(cluster, { ...get, seconds: warmUp }); // not recorded
        const g = await loadRun(cluster, { ...get, seconds: options.seconds });
        const p = await loadRun(cluster, { ...post, seconds: options.seconds });
        const exact = await metricsExact(cluster.http);
        runs.set(count, [
          ...(runs.get(count) ?? []),
          {
            get: g.requestsPerSecond,
            getCpu: g.cpuUsPerRequest,
            post: p.requestsPerSecond,
            postCpu: p.cpuUsPerRequest,
            failed: g.failed + p.failed,
            exact,
            shares: g.replicaShares,
          },
        ]);
      } finally {
        await cluster.stop();
      }
    }
  }
  const name = (count: number): string => `${count} replica${count === 1 ? '' : 's'}`;
  const section: Section = {
    id: 'replicas',
    title: `Replicas: one engine, ${options.replicas.join(', ')} app processes (\`III_URL\`) — GET /todos/:id and POST /todos, ${options.connections} connections, ${options.seconds} s × ${options.rounds} rounds`,
    peer: name(options.replicas[0] as number),
    columns: [
      { key: 'get', label: 'GET req/s' },
      { key: 'getCpu', label: 'GET CPU µs/req (engine + replicas)' },
      { key: 'post', label: 'POST req/s' },
      { key: 'postCpu', label: 'POST CPU µs/req (engine + replicas)' },
    ],
    rows: options.replicas.map((count) => {
      const all = runs.get(count) ?? [];
      return {
        server: name(count),
        values: {
          get: median(all.map((r) => r.get)),
          getCpu: median(all.map((r) => r.getCpu)),
          post: median(all.map((r) => r.post)),
          postCpu: median(all.map((r) => r.postCpu)),
          failed: all.reduce((sum, r) => sum + r.failed, 0),
          exact: all.every((r) => r.exact) ? 1 : 0,
        },
      };
    }),
    notes: [
      'The engine and every replica share the server core (the other runs the load), so this measures what spreading the ' +
        'calls over replicas costs or saves on one core, not the gain from more cores.',
    ],
    targets: [],
  };
  section.notes.push(
    `Metrics equal to the real counts after every POST run (each change counted once, whatever the number of replicas): ${section.rows
      .map((r) => `${r.server} ${r.values.exact === 1 ? 'yes' : 'NO'}`)
      .join(', ')}.`,
  );
  const failed = section.rows.filter((row) => (row.values.failed ?? 0) > 0);
  if (failed.length > 0)
    section.notes.push(`Non-2xx or failed requests: ${failed.map((r) => `${r.server} ${r.values.failed}`).join(', ')}.`);
  const spread = options.replicas
    .filter((count) => count > 1)
    .map((count) => {
      const last = (runs.get(count) ?? []).at(-1);
      return `${name(count)} ${(last?.shares ?? []).map((share) => `${Math.round(share * 100)} %`).join(' / ')}`;
    });
  if (spread.length > 0)
    section.notes.push(`Share of the replicas' CPU time each replica used during GET (last round): ${spread.join('; ')}.`);
  for (const row of section.rows.slice(1)) {
    section.notes.push(
      `${row.server}: GET ${(ratio(section, row.server, 'get') ?? NaN).toFixed(2)}×, POST ${(ratio(section, row.server, 'post') ?? NaN).toFixed(2)}× the throughput of ${section.peer}.`,
    );
  }
  return section;
}
