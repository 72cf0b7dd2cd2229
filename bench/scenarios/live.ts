/**
 * Live push against the peers: write → subscriber latency at a fixed write rate, fan-out of one
 * change to many connections, and the server's memory per subscribed connection.
 */
import { count, percentile, wallMs, type Histogram } from '../lib/histogram';
import { cpuSeconds, rssKiB, startLoad, type RunningServer } from '../lib/proc';
import { median, type Section } from '../lib/report';
import { BASELINE_DIST, startFresh, startShared, type ServerName } from '../lib/servers';
import { subscribe } from '../lib/subscribers';

export interface LatencyOptions {
  subscribers: number;
  perSecond: number;
  seconds: number;
  rounds: number;
  servers: ServerName[];
  /** Absolute bounds (ms) checked for `ours`, besides the ratio to the peer. */
  absolute?: { p50: number; p99: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Subscribers connect; one writer POSTs open-loop; every push is timed against its write. */
export async function writeToSubscriber(options: LatencyOptions): Promise<Section> {
  const servers: RunningServer[] = [];
  const results = new Map<string, Array<{ latencies: Histogram; expected: number; cpu: number; writeP99: number; load: LoadCost }>>();
  try {
    for (const name of options.servers) servers.push(await startShared(name));
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(i + round) % servers.length] as RunningServer;
        const live = await subscribe(server, options.subscribers, options.subscribers > 200 ? 4 : 2);
        const writer = startLoad('writer.js', { url: server.urls.http, perSecond: options.perSecond, seconds: options.seconds });
        try {
          await writer.next('ready');
          const loadCpu0 = (await live.measure()).reduce((sum, cpu) => sum + cpu, 0);
          const measured = wallMs();
          const cpu0 = cpuSeconds(server.pid);
          const written = await writer.ask<{ ok: number; latencies: Histogram }>({ type: 'go' }, 'result', (options.seconds + 40) * 1000);
          const expected = written.ok * options.subscribers;
          // Bounded wait for the pushes still in flight.
          let report = await live.report();
          for (let waited = 0; report.delivered < expected && waited < 10_000; waited += 100) {
            await sleep(100);
            report = await live.report();
          }
          const cpu = cpuSeconds(server.pid) - cpu0;
          results.set(server.name, [
            ...(results.get(server.name) ?? []),
            {
              latencies: report.latencies,
              expected,
              cpu: (cpu * 1e6) / Math.max(1, written.ok),
              writeP99: percentile(written.latencies, 99),
              load: {
                core: (report.cpuSeconds - loadCpu0) / ((wallMs() - measured) / 1000),
                perMessage: ((report.cpuSeconds - loadCpu0) * 1e6) / Math.max(1, report.delivered),
              },
            },
          ]);
        } finally {
          await writer.stop();
          await live.close();
        }
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  const section: Section = {
    id: `latency-${options.subscribers}x${options.perSecond}`,
    title: `write → subscriber latency: ${options.subscribers} subscribers × ${options.perSecond} writes/s for ${options.seconds} s (× ${options.rounds} rounds)`,
    peer: options.servers.includes('nest-fastify') ? 'nest-fastify' : undefined,
    columns: [
      { key: 'p50', label: 'p50 ms' },
      { key: 'p99', label: 'p99 ms' },
      { key: 'delivered', label: 'delivered %' },
      { key: 'cpu', label: 'server CPU µs/write' },
      { key: 'writeP99', label: 'POST p99 ms' },
    ],
    rows: [...results].map(([server, runs]) => ({
      server,
      values: {
        p50: median(runs.map((r) => percentile(r.latencies, 50))),
        p99: median(runs.map((r) => percentile(r.latencies, 99))),
        delivered:
          (100 * runs.reduce((s, r) => s + count(r.latencies), 0)) /
          Math.max(
            1,
            runs.reduce((s, r) => s + r.expected, 0),
          ),
        cpu: median(runs.map((r) => r.cpu)),
        writeP99: median(runs.map((r) => r.writeP99)),
      },
    })),
    notes: [loadNote(results)],
    targets: [],
  };
  const ours = section.rows.find((row) => row.server === 'ours')?.values;
  const peer = section.rows.find((row) => row.server === section.peer)?.values;
  const label = `${options.subscribers} subscribers × ${options.perSecond} writes/s`;
  if (ours !== undefined && peer !== undefined) {
    section.targets.push({
      what: `${label}: p50 vs NestJS+ws`,
      measured: (ours.p50 as number) / (peer.p50 as number),
      unit: 'x',
      atMost: 1,
    });
    section.targets.push({
      what: `${label}: p99 vs NestJS+ws`,
      measured: (ours.p99 as number) / (peer.p99 as number),
      unit: 'x',
      atMost: 1,
    });
  }
  if (ours !== undefined && options.absolute !== undefined) {
    section.targets.push({ what: `${label}: p50`, measured: ours.p50 as number, unit: 'ms', atMost: options.absolute.p50 });
    section.targets.push({ what: `${label}: p99`, measured: ours.p99 as number, unit: 'ms', atMost: options.absolute.p99 });
  }
  return section;
}

/** What the subscriber processes (all on the load core) spent while one run was measured. */
interface LoadCost {
  /** Their CPU time over the measured wall time, summed: 1 = the whole load core. */
  core: number;
  /** Their CPU µs per message received. */
  perMessage: number;
}

/**
 * Says whether the subscribers, not the server, may have set the pace: the busiest run's share of
 * the load core (which the writer shares) and what one received message cost them.
 */
function loadNote(results: Map<string, Array<{ load: LoadCost }>>): string {
  const parts = [...results].map(([server, runs]) => {
    const busiest = Math.max(...runs.map((r) => r.load.core));
    return `${server} ${(100 * busiest).toFixed(0)} % (${median(runs.map((r) => r.load.perMessage)).toFixed(1)} µs per message)`;
  });
  return `The subscriber processes together kept the load core busy (busiest run, from the start of measuring until the last push arrived): ${parts.join(', ')}; near 100 % they, not the server, set the pace.`;
}

/** A subscriber process's report of one change: when its first and last connection got it, its CPU seconds then. */
interface Arrival {
  first: number;
  last: number;
  cpu: number;
}

export interface FanOutOptions {
  clients: number;
  changes: number;
  processes: number;
  /** How long a server's memory is left to settle before and after the clients connect (default 1,000 ms). */
  settleMs?: number;
  /**
   * Changes fanned out first and not counted (default 3): the first ones after the clients joined
   * run cold in every server and in the subscriber processes (bare ws too: 2-4× a warm change), so
   * counted they would be every server's p99. The notes report them.
   */
  warmUp?: number;
}

/** `clients` connections on ours and on bare ws; RSS per connection; then one change at a time to all. */
export async function fanOut(options: FanOutOptions): Promise<Section> {
  const rows: Section['rows'] = [];
  const notes: string[] = [];
  for (const name of (BASELINE_DIST === undefined ? ['ours', 'ws-bare'] : ['baseline', 'ours', 'ws-bare']) as ServerName[]) {
    const server = await startFresh(name);
    const settleMs = options.settleMs ?? 1_000;
    try {
      await sleep(settleMs / 2);
      const rss0 = rssKiB(server.pid);
      const live = await subscribe(server, options.clients, options.processes, true);
      try {
        await sleep(settleMs);
        const perConnection = (rssKiB(server.pid) - rss0) / options.clients;
        let loadCpu = await live.measure();
        const lasts: number[] = [];
        const firsts: number[] = [];
        const loadBusy: number[] = [];
        const cold: number[] = [];
        const warmUp = options.warmUp ?? 3;
        let cpu0 = cpuSeconds(server.pid);
        for (let k = 0; k < warmUp + options.changes; k++) {
          if (k === warmUp) cpu0 = cpuSeconds(server.pid);
          const arrivals = Promise.all(live.processes.map((p) => p.next<Arrival>('change', 30_000))).catch((error: unknown) => {
            throw new Error(`${name}, change ${k + 1}: ${error instanceof Error ? error.message : String(error)}`);
          });
          // Handled here too: when the POST fails, nothing arrives and its timeout is not the error.
          arrivals.catch(() => undefined);
          const sent = wallMs();
          const response = await fetch(`${server.urls.http}/todos`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ title: `bench ${sent.toFixed(3)}` }),
          });
          const answer = await response.text();
          // A refused write fans nothing out: say so rather than time out waiting for it.
          if (!response.ok) {
            throw new Error(`${name}, change ${k + 1}: POST /todos answered ${response.status} ${answer.slice(0, 200)}`);
          }
          const arrived = await arrivals;
          const last = Math.max(...arrived.map((a) => a.last));
          // The subscriber processes share the load core: their CPU time over the change's wall
          // time says whether they, not the server, set the pace (100 % = saturated).
          const spent = arrived.reduce((sum, a, i) => sum + a.cpu - (loadCpu[i] as number), 0);
          loadCpu = arrived.map((a) => a.cpu);
          if (k < warmUp) cold.push(last - sent);
          else {
            lasts.push(last - sent);
            firsts.push(Math.min(...arrived.map((a) => a.first)) - sent);
            loadBusy.push((100 * spent * 1000) / Math.max(1, last - sent));
          }
          await sleep(100);
        }
        const cpu = cpuSeconds(server.pid) - cpu0;
        rows.push({
          server: name,
          values: {
            rate: median(lasts.map((ms) => options.clients / (ms / 1000))),
            last50: median(lasts),
            last99: [...lasts].sort((a, b) => a - b)[Math.min(lasts.length - 1, Math.ceil(0.99 * lasts.length) - 1)] as number,
            memory: perConnection,
            cpu: (cpu * 1e6) / (options.changes * options.clients),
          },
        });
        notes.push(
          `${name}: first client after a median ${median(firsts).toFixed(1)} ms (the write's path to the first socket); ` +
            `the subscriber processes kept the load core ${median(loadBusy).toFixed(0)} % busy until the last client (median); ` +
            `last client of the ${cold.length} uncounted warm-up changes after ${cold.map((ms) => ms.toFixed(0)).join(', ')} ms.`,
        );
      } finally {
        await live.close();
      }
    } finally {
      await server.stop();
    }
  }
  const section: Section = {
    id: 'fan-out',
    title: `fan-out of one change to ${options.clients.toLocaleString('en-US')} connections (${options.changes} changes, one at a time, after ${options.warmUp ?? 3} uncounted), and server memory per subscribed connection`,
    peer: 'ws-bare',
    columns: [
      { key: 'rate', label: 'deliveries/s' },
      { key: 'last50', label: 'last client p50 ms' },
      { key: 'last99', label: 'last client p99 ms' },
      { key: 'memory', label: 'server RSS KiB/connection' },
      { key: 'cpu', label: 'server CPU µs/delivery' },
    ],
    rows,
    notes,
    targets: [],
  };
  const ours = rows.find((r) => r.server === 'ours')?.values;
  const bare = rows.find((r) => r.server === 'ws-bare')?.values;
  if (ours !== undefined && bare !== undefined) {
    const n = options.clients.toLocaleString('en-US');
    section.targets.push({
      what: `${n}-client fan-out: deliveries/s vs bare ws`,
      measured: (ours.rate as number) / (bare.rate as number),
      unit: 'x',
      atLeast: 0.9,
    });
    section.targets.push({ what: `${n}-client fan-out: last client p99`, measured: ours.last99 as number, unit: 'ms', atMost: 250 });
    section.targets.push({ what: `memory per subscribed connection at ${n}`, measured: ours.memory as number, unit: 'KiB', atMost: 12 });
  }
  return section;
}
