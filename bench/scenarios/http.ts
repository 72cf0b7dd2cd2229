/**
 * HTTP throughput against the peers: GET /todos/:id, and POST /todos with live subscribers. Every
 * server runs at once (idle while the others are measured), rounds alternate the order, and each
 * figure is the median over rounds of autocannon (its own process, on the load core) with the
 * server's CPU time per request read from /proc before and after.
 */
import { cpuSeconds, startLoad, type RunningServer } from '../lib/proc';
import { median, ratio, type Section } from '../lib/report';
import { startFresh, type ServerName } from '../lib/servers';
import { subscribe, type SubscriberGroup } from '../lib/subscribers';

export interface HttpOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** Live subscribers on each server during POST runs. */
  subscribers: number;
  servers: ServerName[];
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  loadCpuShare: number;
}

async function loadRun(
  server: RunningServer,
  config: { url: string; method: 'GET' | 'POST'; body?: string; connections: number; seconds: number },
) {
  const load = startLoad('http-load.js', config);
  try {
    await load.next('ready');
    const cpu0 = cpuSeconds(server.pid);
    const run = await load.ask<Run>({ type: 'go' }, 'result', (config.seconds + 30) * 1000);
    const cpu = cpuSeconds(server.pid) - cpu0;
    return { ...run, cpuUsPerRequest: run.ok > 0 ? (cpu * 1e6) / run.ok : NaN };
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
      const server = await startFresh(name);
      servers.push(server);
      const created = await fetch(`${server.urls.http}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const todo = (await created.json()) as { id: string };
      targets.set(server, method === 'GET' ? `${server.urls.http}/todos/${todo.id}` : `${server.urls.http}/todos`);
    }
    const runs = new Map<RunningServer, Array<Awaited<ReturnType<typeof loadRun>> & { delivered: number }>>();
    const config = (server: RunningServer, seconds: number) => ({
      url: targets.get(server) as string,
      method,
      body: method === 'POST' ? body : undefined,
      connections: options.connections,
      seconds,
    });
    for (const server of servers) await loadRun(server, config(server, 1)); // warm-up, not recorded
    for (let round = 0; round < options.rounds; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length] as RunningServer);
      for (const server of order) {
        let live: SubscriberGroup | undefined;
        if (method === 'POST' && options.subscribers > 0) {
          live = await subscribe(server, options.subscribers, 2);
          await live.measure();
        }
        try {
          const run = await loadRun(server, config(server, options.seconds));
          const delivered = live === undefined ? 0 : (await live.report()).delivered;
          runs.set(server, [...(runs.get(server) ?? []), { ...run, delivered }]);
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
