/** Engine and worker plumbing shared by the benchmark scenarios. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerWorker, type IIIClient } from 'iii-sdk';
import { startEngine, type EngineHandle } from '../../src/engine';

export interface BenchEngine {
  engine: EngineHandle;
  worker(name: string): IIIClient;
  close(): Promise<void>;
}

/** Starts the embedded engine on ephemeral loopback ports; `sqlite` storage lives in a temp dir. */
export async function startBenchEngine(storage: 'sqlite' | 'memory'): Promise<BenchEngine> {
  const dataDir = storage === 'sqlite' ? mkdtempSync(join(tmpdir(), 'iii-bench-')) : undefined;
  const engine = await startEngine({ storage, dataDir, ephemeralPorts: true, host: '127.0.0.1' });
  const clients: IIIClient[] = [];
  return {
    engine,
    worker(name) {
      const client = registerWorker(engine.urls.worker, {
        workerName: name,
        otel: { enabled: false },
        enableMetricsReporting: false,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.shutdown()));
      await engine.close();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registrations are not acknowledged by the protocol: poll until `id` answers. */
export async function untilCallable(client: IIIClient, id: string, payload: unknown): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await client.trigger({ function_id: id, payload, timeoutMs: 1_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Routes are registered fire-and-forget too: poll until `url` answers `status`. */
export async function untilStatus(url: string, status: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await fetch(url)).status !== status) {
    if (Date.now() > deadline) throw new Error(`${url} never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
