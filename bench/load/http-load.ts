/**
 * HTTP load process: one autocannon run against the URL in argv, started by a `go` message; replies
 * with the result and the share of its core this process used (near 1.0 means the load generator,
 * not the server, was the limit).
 */
import autocannon from 'autocannon';

interface Config {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  connections: number;
  seconds: number;
}

const config = JSON.parse(process.argv[2] as string) as Config;

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'go') return;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  autocannon({
    url: config.url,
    method: config.method,
    headers: config.body === undefined ? {} : { 'content-type': 'application/json' },
    body: config.body,
    connections: config.connections,
    duration: config.seconds,
  }).then(
    (result) => {
      const cpu = process.cpuUsage(cpu0);
      process.send?.({
        type: 'result',
        requestsPerSecond: result['2xx'] / result.duration,
        ok: result['2xx'],
        failed: result.non2xx + result.errors + result.timeouts,
        p50: result.latency.p50,
        p99: result.latency.p99,
        loadCpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
      });
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send?.({ type: 'ready' });
