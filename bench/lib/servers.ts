/** The servers the bench compares: the reference app as `npm start` runs it, and its peers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, type RunningServer, type ServerSpec, type ServerUrls } from './proc';

/** Peers announce `READY {json}` (bench/peers/live.ts). */
export function announced(output: string): ServerUrls | undefined {
  const match = /^READY (\{.*\})$/m.exec(output);
  return match ? (JSON.parse(match[1] as string) as ServerUrls) : undefined;
}

/** `npm start` prints its URLs, then "Press Ctrl-C to stop." */
function started(output: string): ServerUrls | undefined {
  if (!output.includes('Press Ctrl-C')) return undefined;
  const api = /API:\s+(\S+)\/todos/.exec(output);
  const stream = /streams:\s+(\S+)/.exec(output);
  return api
    ? { http: (api[1] as string).replace('localhost', '127.0.0.1'), stream: stream?.[1]?.replace('localhost', '127.0.0.1') }
    : undefined;
}

export type ServerName = 'ours' | 'baseline' | 'nest-fastify' | 'nest-express' | 'node-http' | 'ws-bare';

/**
 * `BENCH_BASELINE=<dist dir of another build>` adds server `baseline`: that build's reference app,
 * run exactly as `ours`, so an optimisation's before and after are measured in one run.
 */
export const BASELINE_DIST = process.env.BENCH_BASELINE;

/** Human names for the report. */
export const LABELS: Record<ServerName, string> = {
  ours: 'this project, reference app (`npm start`)',
  baseline: 'this project, baseline build (`BENCH_BASELINE`)',
  'nest-fastify': 'NestJS 11 + fastify, ValidationPipe, SQLite, ws',
  'nest-express': 'NestJS 11 + express, same',
  'node-http': 'node:http by hand, SQLite, ws (the limit)',
  'ws-bare': 'bare `ws` broadcast, no storage',
};

/** The spec of `name` with its data in `dataDir`; `port` fixes the HTTP port (cold start). */
export function serverSpec(name: ServerName, dataDir: string, port = 0): ServerSpec {
  switch (name) {
    case 'ours':
      return {
        name,
        script: 'src/main.js',
        env: { PORT: String(port), III_STREAM_PORT: '0', III_WORKER_PORT: '0', III_DATA_DIR: dataDir, III_LOG_LEVEL: 'error' },
        ready: started,
      };
    case 'baseline':
      if (BASELINE_DIST === undefined) throw new Error('server baseline needs BENCH_BASELINE=<dist dir of the baseline build>');
      return { ...serverSpec('ours', dataDir, port), name, script: join(resolve(BASELINE_DIST), 'src', 'main.js') };
    case 'nest-fastify':
    case 'nest-express':
      return {
        name,
        script: 'bench/peers/nest.js',
        args: [name.slice(5)],
        env: { PORT: String(port), DATA_DIR: dataDir },
        ready: announced,
      };
    case 'node-http':
      return { name, script: 'bench/peers/node-http.js', env: { PORT: String(port), DATA_DIR: dataDir }, ready: announced };
    case 'ws-bare':
      return { name, script: 'bench/peers/ws-bare.js', ready: announced };
  }
}

/** Servers `startShared` starts once and hands out again until `stopSharedServers` (empty: none). */
const shared = new Map<ServerName, Promise<RunningServer> | undefined>();

/**
 * The quick run: `startShared(name)` of these servers returns one instance for the whole run (its
 * data carries over from scenario to scenario), so each starts once.
 */
export function shareServers(names: ServerName[]): void {
  for (const name of names) shared.set(name, undefined);
}

/** Stops the shared servers. */
export async function stopSharedServers(): Promise<void> {
  const running = await Promise.all([...shared.values()]);
  shared.clear();
  for (const server of running) await server?.stop();
}

/**
 * `name` on fresh data, or the run's shared instance when `shareServers` named it; stopping a
 * shared one does nothing (`stopSharedServers` does).
 */
export async function startShared(name: ServerName): Promise<RunningServer> {
  if (!shared.has(name)) return startFresh(name);
  let server = shared.get(name);
  if (server === undefined) {
    server = startFresh(name);
    shared.set(name, server);
  }
  return { ...(await server), stop: () => Promise.resolve() };
}

/** Starts `name` on fresh data; stopping it also removes the data. */
export async function startFresh(name: ServerName): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `iii-bench-${name}-`));
  const server = await startServer(serverSpec(name, dataDir));
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
