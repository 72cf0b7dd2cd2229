/** Engine-level scenarios: worker-to-worker calls, durable state writes, HTTP triggers, stream fan-out. */
import WebSocket from 'ws';
import { runLoad, type BenchResult } from '../lib/measure';
import { startBenchEngine, untilCallable, untilStatus } from '../lib/engine';

/** Worker A calls an echo function owned by worker B through the engine. */
export async function invokeRoundTrip(concurrency: number, operations: number): Promise<BenchResult> {
  const bench = await startBenchEngine('memory');
  try {
    const owner = bench.worker('bench-owner');
    const caller = bench.worker('bench-caller');
    owner.registerFunction('bench::echo', async (data: unknown) => data);
    await untilCallable(caller, 'bench::echo', { n: 0 });
    return await runLoad(
      `invoke-roundtrip-c${concurrency}`,
      'iii-sdk worker → engine → other worker → back (echo of a small object)',
      (i) => caller.trigger({ function_id: 'bench::echo', payload: { n: i } }),
      { operations, concurrency },
    );
  } finally {
    await bench.close();
  }
}

/** `state::set` from a worker with SQLite storage: each ack means the write is committed. */
export async function durableStateWrites(concurrency: number, operations: number): Promise<BenchResult> {
  const bench = await startBenchEngine('sqlite');
  try {
    const client = bench.worker('bench-state');
    await untilCallable(client, 'state::get', { scope: 'bench', key: 'warm' });
    return await runLoad(
      `state-set-sqlite-c${concurrency}`,
      'state::set of a ~100-byte object, acknowledged after the SQLite commit (WAL, per-tick batches)',
      (i) =>
        client.trigger({
          function_id: 'state::set',
          payload: { scope: 'bench', key: `k${i}`, value: { id: i, title: 'benchmark todo', completed: false } },
        }),
      { operations, concurrency },
    );
  } finally {
    await bench.close();
  }
}

/** HTTP request → `http` trigger → worker function → JSON response. */
export async function httpTrigger(concurrency: number, operations: number): Promise<BenchResult> {
  const bench = await startBenchEngine('memory');
  try {
    const client = bench.worker('bench-http');
    client.registerFunction('bench::hello', async () => ({ status_code: 200, body: { hello: 'world' } }));
    client.registerTrigger({ type: 'http', function_id: 'bench::hello', config: { api_path: 'hello', http_method: 'GET' } });
    const url = `${bench.engine.urls.http}/hello`;
    await untilStatus(url, 200);
    return await runLoad(
      `http-trigger-c${concurrency}`,
      'GET through iii-http to a worker function returning a small JSON body (keep-alive fetch)',
      async () => {
        const response = await fetch(url);
        await response.arrayBuffer();
      },
      { operations, concurrency },
    );
  } finally {
    await bench.close();
  }
}

/** `stream::set` writes delivered to many WebSocket clients joined to the same group. */
export async function streamFanOut(clients: number, writes: number): Promise<BenchResult> {
  const bench = await startBenchEngine('memory');
  const sockets: WebSocket[] = [];
  try {
    const writer = bench.worker('bench-stream');
    await untilCallable(writer, 'stream::list', { stream_name: 'bench', group_id: 'g' });
    let delivered = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const synced: Array<Promise<void>> = [];
    for (let c = 0; c < clients; c++) {
      const socket = new WebSocket(bench.engine.urls.stream as string);
      sockets.push(socket);
      synced.push(
        new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.once('open', () =>
            socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: `s${c}`, streamName: 'bench', groupId: 'g' } })),
          );
          socket.on('message', (raw) => {
            const message = JSON.parse(String(raw)) as { event: { type: string } };
            if (message.event.type === 'sync') return resolve();
            if (++delivered === clients * writes) resolveAll();
          });
        }),
      );
    }
    await Promise.all(synced);
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        writer.trigger({ function_id: 'stream::set', payload: { stream_name: 'bench', group_id: 'g', item_id: `i${i}`, data: { i } } }),
      ),
    );
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error('fan-out timed out')), 60_000))]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      name: `stream-fanout-${clients}x${writes}`,
      description: `${writes} stream::set writes, each delivered to ${clients} joined WebSocket clients`,
      operations: delivered,
      concurrency: clients,
      seconds: Number(seconds.toFixed(3)),
      opsPerSecond: Math.round(delivered / seconds),
      latencyMs: { p50: 0, p90: 0, p99: 0, max: Number((seconds * 1000).toFixed(1)) },
      extra: { deliveredMessages: delivered },
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await bench.close();
  }
}
