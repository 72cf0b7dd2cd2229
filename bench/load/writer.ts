/**
 * Open-loop writer process: POSTs `{ title: "bench <ms>" }` at a fixed rate for a fixed time,
 * whatever the server's response times, so a slow server shows as latency, not as a lower rate.
 */
import { Agent, request } from 'node:http';
import { record, wallMs, type Histogram } from '../lib/histogram';

interface Config {
  url: string;
  perSecond: number;
  seconds: number;
}

const config = JSON.parse(process.argv[2] as string) as Config;
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const target = new URL('/todos', config.url);

function post(result: { ok: number; failed: number; latencies: Histogram }): Promise<void> {
  const sent = wallMs();
  const body = JSON.stringify({ title: `bench ${sent.toFixed(3)}` });
  return new Promise((resolve) => {
    const req = request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 201 || res.statusCode === 200) result.ok++;
          else result.failed++;
          record(result.latencies, wallMs() - sent);
          resolve();
        });
      },
    );
    req.on('error', () => {
      result.failed++;
      resolve();
    });
    req.end(body);
  });
}

async function run(): Promise<void> {
  const result = { ok: 0, failed: 0, latencies: {} as Histogram };
  const total = Math.round(config.perSecond * config.seconds);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * config.perSecond) + 1);
    while (sent < due) {
      pending.push(post(result));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  // Bounded: an overloaded server's unanswered requests count as unfinished after 20 s.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
  clearTimeout(timer);
  process.send?.({ type: 'result', ...result, unfinished: total - result.ok - result.failed, seconds: (performance.now() - start) / 1000 });
}

process.on('message', (message: { type?: string }) => {
  if (message.type === 'go') void run();
});
process.send?.({ type: 'ready' });
