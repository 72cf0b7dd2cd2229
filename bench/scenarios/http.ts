/**
 * HTTP throughput against the peers: GET /todos/:id, and POST /todos with live subscribers. Every
 * server runs at once (idle while the others are measured), rounds alternate the order, and each
 * figure is the median over rounds of autocannon (its own process, on the load core) with the
 * server's CPU time per request read from /proc before the load and after the server settled (POST:
 * every subscriber got every create and its CPU went quiet, so deferred work is counted).
 */
import { cpuSeconds, startLoad, type RunningServer } from '../lib/proc';
import { median, ratio, type Section } from '../lib/report';
import { startShared, type ServerName } from '../lib/servers';
import { subscribe, type SubscriberGroup } from '../lib/subscribers';

export interface HttpOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** Live subscribers on each server during POST runs. */
  subscribers: number;
  servers: ServerName[];
  /** Seconds of unrecorded load per server before the rounds (default 1; 0 skips it: the quick run). */
  warmUpSeconds?: number;
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  loadCpuShare: number;
}

/** How long a server may take, after the load stops, to finish the work the requests caused. */
const SETTLE_LIMIT_MS = 30_000;
/** A server is quiet once it used at most one clock tick of CPU over this window. */
const QUIET_WINDOW_MS = 100;

/**
 * Waits until the server has finished what the load caused (bounded): every subscriber received
 * every create (`complete`, when there are subscribers), then its CPU went quiet. Work a server
 * defers past the load (reactions, pushes) is part of what a request costs.
 */
async function settled(pid: number, complete?: () => Promise<boolean>): Promise<{ ms: number; timedOut: boolean }> {
  const t0 = performance.now();
  const over = (): boolean => performance.now() - t0 > SETTLE_LIMIT_MS;
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
  if (complete !== undefined) {
    while (!(await complete())) {
      if (over()) return { ms: performance.now() - t0, timedOut: true };
      await pause();
    }
  }
  for (;;) {
    const cpu0 = cpuSeconds(pid);
    await pause();
    if (cpuSeconds(pid) - cpu0 <= 0.011) return { ms: performance.now() - t0, timedOut: false };
    if (over()) return { ms: performance.now() - t0, timedOut: true };
  }
}

async function loadRun(
  server: RunningServer,
  config: { url: string; method: 'GET' | 'POST'; body?: string; connections: number; seconds: number },
  live?: SubscriberGroup & { expectedPerRequest: number },
) {
  const load = startLoad('http-load.js', config);
  try {
    await load.next('ready');
    const cpu0 = cpuSeconds(server.pid);
    const run = await load.ask<Run>({ type: 'go' }, 'result', (config.seconds + 30) * 1000);
    // Delivered while the load ran (what a subscriber saw in time), then the rest of the work.
    const delivered = live === undefined ? 0 : (await live.report()).delivered;
    const settle =
      config.method === 'GET'
        ? { ms: 0, timedOut: false }
        : await settled(server.pid, live && (async () => (await live.report()).delivered >= run.ok * live.expectedPerRequest));
    const cpu = cpuSeconds(server.pid) - cpu0;
    return {
      ...run,
      delivered,
      settleMs: settle.ms,
      settleTimedOut: settle.timedOut,
      cpuUsPerRequest: run.ok > 0 ? (cpu * 1e6) / run.ok : NaN,
    };
  } finally {
    await load.stop();
  }
}

export async function httpPeers(method: 'GET' | 'POST', options: HttpOptions): Promise<Section> {
  const servers: RunningServer[] = [];
  const targets = new Map<RunningServer, string>();
  const body = JSON.stringify({ title: 'a todo from the load generator' });
  try {
    for (const name of options.servers) {
      const server = await startShared(name);
      servers.push(server);
      const created = await fetch(`${server.urls.http}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const todo = (await created.json()) as { id: string };
      targets.set(server, method === 'GET' ? `${server.urls.http}/todos/${todo.id}` : `${server.urls.http}/todos`);
    }
    const runs = new Map<RunningServer, Array<Awaited<ReturnType<typeof loadRun>>>>();
    const config = (server: RunningServer, seconds: number) => ({
      url: targets.get(server) as string,
      method,
      body: method === 'POST' ? body : undefined,
      connections: options.connections,
      seconds,
    });
    const warmUp = options.warmUpSeconds ?? 1;
    if (warmUp > 0) for (const server of servers) await loadRun(server, config(server, warmUp)); // not recorded
    for (let round = 0; round < options.rounds; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length] as RunningServer);
      for (const server of order) {
        let live: SubscriberGroup | undefined;
        if (method === 'POST' && options.subscribers > 0) {
          live = await subscribe(server, options.subscribers, 2);
          await live.measure();
        }
        try {
          const run = await loadRun(server, config(server, options.seconds), live && { ...live, expectedPerRequest: options.subscribers });
          runs.set(server, [...(runs.get(server) ?? []), run]);
        } finally {
          await live?.close();
        }
      }
    }
    const section: Section = {
      id: `http-${method.toLowerCase()}`,
      title:
        method === 'GET'
          ? `GET /todos/:id — ${options.connections} connections, ${options.seconds} s × ${options.rounds} rounds`
          : `POST /todos (validated, durable, metrics) with ${options.subscribers} live subscribers — ${options.connections} connections, ${options.seconds} s × ${options.rounds} rounds`,
      peer: 'nest-fastify',
      columns: [
        { key: 'rps', label: 'req/s' },
        { key: 'p50', label: 'p50 ms' },
        { key: 'p99', label: 'p99 ms' },
        { key: 'cpu', label: 'server CPU µs/req' },
        { key: 'loadCpu', label: 'load generator core use' },
      ],
      rows: servers.map((server) => {
        const all = runs.get(server) ?? [];
        const values: Record<string, number> = {
          rps: median(all.map((r) => r.requestsPerSecond)),
          p50: median(all.map((r) => r.p50)),
          p99: median(all.map((r) => r.p99)),
          cpu: median(all.map((r) => r.cpuUsPerRequest)),
          loadCpu: Math.max(...all.map((r) => r.loadCpuShare)),
          failed: all.reduce((sum, r) => sum + r.failed, 0),
          settleMs: median(all.map((r) => r.settleMs)),
          settleTimedOut: all.filter((r) => r.settleTimedOut).length,
        };
        if (method === 'POST' && options.subscribers > 0) {
          const expected = all.reduce((sum, r) => sum + r.ok * options.subscribers, 0);
          values.deliveredShare = all.reduce((sum, r) => sum + r.delivered, 0) / Math.max(1, expected);
        }
        return { server: server.name, values };
      }),
      notes: [],
      targets: [],
    };
    if (method === 'POST' && options.subscribers > 0) {
      section.notes.push(
        `Share of created todos the subscribers received during the run: ${section.rows.map((r) => `${r.server} ${((r.values.deliveredShare ?? 0) * 100).toFixed(1)} %`).join(', ')}.`,
      );
    }
    if (method === 'POST') {
      section.notes.push(
        `Server CPU per request counts the work left when the load stopped: the bench waits until ${options.subscribers > 0 ? 'the subscribers received every create and ' : ''}the server's CPU went quiet (at most ${SETTLE_LIMIT_MS / 1000} s; median wait ${section.rows.map((r) => `${r.server} ${Math.round(r.values.settleMs ?? 0)} ms`).join(', ')}).`,
      );
      const unsettled = section.rows.filter((row) => (row.values.settleTimedOut ?? 0) > 0);
      if (unsettled.length > 0)
        section.notes.push(
          `Not settled within ${SETTLE_LIMIT_MS / 1000} s (CPU counted up to then): ${unsettled.map((r) => `${r.server} ${r.values.settleTimedOut} of ${options.rounds} rounds`).join(', ')}.`,
        );
    }
    const failed = section.rows.filter((row) => (row.values.failed ?? 0) > 0);
    if (failed.length > 0)
      section.notes.push(`Non-2xx or failed requests: ${failed.map((r) => `${r.server} ${r.values.failed}`).join(', ')}.`);
    const rps = ratio(section, 'ours', 'rps') ?? NaN;
    const cpu = ratio(section, 'ours', 'cpu') ?? NaN;
    const what = method === 'GET' ? 'GET /todos/:id' : `POST /todos, ${options.subscribers} subscribers`;
    section.targets.push({ what: `${what}: throughput vs NestJS+fastify`, measured: rps, unit: 'x', atLeast: 1 });
    if (method === 'GET')
      section.targets.push({
        what: `${what}: p99 vs NestJS+fastify`,
        measured: ratio(section, 'ours', 'p99') ?? NaN,
        unit: 'x',
        atMost: 1,
      });
    section.targets.push({ what: `${what}: CPU per request vs NestJS+fastify`, measured: cpu, unit: 'x', atMost: 1 });
    return section;
  } finally {
    for (const server of servers) await server.stop();
  }
}
