/** Cold start to the first 200, and the cost of a request as the route table grows. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, DIST, pin, SERVER_CPU, startLoad, startServer, stopChild, type RunningServer } from '../lib/proc';
import { median, ratio, type Section } from '../lib/report';
import { announced, serverSpec, type ServerName } from '../lib/servers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Milliseconds from spawning the server's `node` to its first 200 on `path` (polled every 5 ms, bounded). */
async function timeToFirst200(name: ServerName, path: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), `iii-bench-cold-${name}-`));
  const port = await freePort();
  const spec = serverSpec(name, dataDir, port);
  const started = performance.now();
  const child = spawn(process.execPath, [join(DIST, spec.script), ...(spec.args ?? [])], {
    env: { ...process.env, ...spec.env },
    stdio: 'ignore',
  });
  pin(child.pid as number, SERVER_CPU);
  try {
    while (performance.now() - started < 30_000) {
      const ok = await fetch(`http://127.0.0.1:${port}${path}`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`${name} gave no 200 within 30 s`);
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function coldStart(tries: number): Promise<Section> {
  const times: Record<string, number[]> = { ours: [], 'nest-fastify': [] };
  for (let i = 0; i < tries; i++) {
    times.ours?.push(await timeToFirst200('ours', '/todos'));
    times['nest-fastify']?.push(await timeToFirst200('nest-fastify', '/todos/metrics'));
  }
  const section: Section = {
    id: 'cold-start',
    title: `cold start: spawning \`node\` to the first 200 (median of ${tries}; \`npm start\` compiles first, not counted)`,
    peer: 'nest-fastify',
    columns: [{ key: 'ms', label: 'ms to first 200' }],
    rows: Object.entries(times).map(([server, ms]) => ({ server, values: { ms: median(ms) } })),
    notes: [],
    targets: [],
  };
  section.targets.push({
    what: 'cold start of the reference app to the first 200',
    measured: section.rows[0]?.values.ms as number,
    unit: 'ms',
    atMost: 1500,
  });
  return section;
}

export interface RoutesOptions {
  many: number;
  rounds: number;
  seconds: number;
  connections: number;
  /** Seconds of unrecorded load per server first (default 1; 0 skips it: the quick run). */
  warmUpSeconds?: number;
}

/** The same handler behind 1 registered route and behind `many`: CPU and throughput per request. */
export async function routeCount(options: RoutesOptions): Promise<Section> {
  const servers: Array<{ label: string; server: RunningServer; url: string }> = [];
  const runs = new Map<string, Array<{ rps: number; p99: number; cpu: number }>>();
  try {
    for (const routes of [1, options.many]) {
      const server = await startServer(
        {
          name: `routes-${routes}`,
          script: 'bench/servers/routes.js',
          env: { ROUTES: String(routes) },
          ready: announced,
        },
        // Registering a thousand routes takes a while on a busy machine.
        120_000,
      );
      servers.push({ label: `${routes} route${routes === 1 ? '' : 's'}`, server, url: `${server.urls.http}/r${routes - 1}/items/1` });
    }
    // Round 0 warms up (not recorded).
    const warmUp = options.warmUpSeconds ?? 1;
    for (let round = warmUp > 0 ? 0 : 1; round < options.rounds + 1; round++) {
      for (const { label, server, url } of round % 2 === 0 ? servers : [...servers].reverse()) {
        const load = startLoad('http-load.js', {
          url,
          method: 'GET',
          connections: options.connections,
          seconds: round === 0 ? warmUp : options.seconds,
        });
        try {
          await load.next('ready');
          const cpu0 = cpuSeconds(server.pid);
          const run = await load.ask<{ requestsPerSecond: number; p99: number; ok: number }>(
            { type: 'go' },
            'result',
            (options.seconds + 30) * 1000,
          );
          if (round > 0)
            runs.set(label, [
              ...(runs.get(label) ?? []),
              { rps: run.requestsPerSecond, p99: run.p99, cpu: ((cpuSeconds(server.pid) - cpu0) * 1e6) / run.ok },
            ]);
        } finally {
          await load.stop();
        }
      }
    }
  } finally {
    for (const { server } of servers) await server.stop();
  }
  const section: Section = {
    id: 'routes',
    title: `1 → ${options.many.toLocaleString('en-US')} registered routes (framework controllers on the embedded engine), GET of the last one registered`,
    peer: '1 route',
    columns: [
      { key: 'rps', label: 'req/s' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'cpu', label: 'server CPU µs/req' },
    ],
    rows: [...runs].map(([server, all]) => ({
      server,
      values: { rps: median(all.map((r) => r.rps)), p99: median(all.map((r) => r.p99)), cpu: median(all.map((r) => r.cpu)) },
    })),
    notes: [],
    targets: [],
  };
  const many = servers[1]?.label as string;
  section.targets.push({
    what: `${many}: CPU per request vs 1 route`,
    measured: ratio(section, many, 'cpu') ?? NaN,
    unit: 'x',
    atMost: 1.2,
  });
  return section;
}
