/**
 * The reference app as `npm start` runs it — the built `node dist/src/main.js` — in a child process,
 * on free ports and a data directory of the test's choosing, so a test can kill it outright
 * (`kill -9`), stop it with a signal, and start it again on the same data.
 *
 * `ensureAppBuilt()` compiles `dist/` once (skipped while it is newer than every source file), under
 * a lock so parallel jest workers and test runs never compile over each other.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { registerWorker } from 'iii-sdk';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'dist/src/main.js');
const STAMP = path.join(ROOT, 'dist/.app-build-stamp');
const LOCK = path.join(ROOT, 'dist/.app-build-lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 5 * 60_000;
const WORKER_TOKEN_HEADER = 'x-iii-worker-token';

/** How a child process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The app in its child process. */
export interface AppProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>` of the REST listener (from the start-up banner). */
  readonly http: string;
  /** `ws://127.0.0.1:<port>` of the stream listener. */
  readonly stream: string;
  /** `ws://127.0.0.1:<port>` of the worker listener (the embedded engine's, or `III_URL`). */
  readonly worker: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /**
   * Resolves once the engine reports every reaction caught up (`engine::settle`), asked through a
   * short-lived iii-sdk worker that is closed again before this resolves.
   */
  settle(timeoutMs?: number): Promise<void>;
  /** `kill -9`, resolving once the process is gone. */
  kill(): Promise<ProcessExit>;
  /** Sends `signal` (default SIGTERM) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

/** Options of `startAppProcess`. */
export interface AppProcessOptions {
  /** `III_DATA_DIR` (SQLite lives here; reuse it to restart on the same data). */
  dataDir: string;
  /** More environment (wins over the defaults: free ports, 127.0.0.1, log level `error`). */
  env?: NodeJS.ProcessEnv;
  /** How long the banner may take (default 60 s: a loaded machine starts slowly). */
  startTimeoutMs?: number;
}

/** Compiles `dist/` like `npm run build` unless it is newer than every source file. */
export function ensureAppBuilt(): void {
  if (isFresh()) return;
  withLock(() => {
    if (isFresh()) return; // built by whoever held the lock before
    for (const args of [
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')],
      [path.join(ROOT, 'scripts/build-client.js')],
    ]) {
      const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`building dist/ failed (${args.join(' ')}):\n${run.stdout}${run.stderr}`);
    }
    writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  });
}

/**
 * The environment of an app started by a test: free ports on 127.0.0.1, its own embedded engine
 * on `dataDir`, errors-only logs, telemetry off; `extra` wins (an `undefined` value removes a
 * variable, as `spawn` skips it).
 */
export function appChildEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    III_STREAM_PORT: '0',
    III_WORKER_PORT: '0',
    III_HOST: '127.0.0.1',
    III_URL: '',
    III_LOG_LEVEL: 'error',
    OTEL_ENABLED: 'false',
    ...extra,
    III_DATA_DIR: dataDir,
  };
}

/** Starts the built app (call `ensureAppBuilt()` first) and resolves once it printed its banner. */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const env = appChildEnv(options.dataDir, options.env);
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env });
  killOnExit(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const urls = await bannerUrls(child, () => out, { exited, timeoutMs: options.startTimeoutMs ?? 60_000 });
  const token = env.III_WORKER_TOKEN?.trim();
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    ...urls,
    exited,
    output: () => out,
    settle: (timeoutMs = 30_000) => settleThrough(urls.worker, { timeoutMs, token }),
    async kill() {
      if (!ended()) child.kill('SIGKILL');
      return exited;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!ended()) child.kill(signal);
      return exited;
    },
  };
}

const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/**
 * A test that times out never reaches its cleanup: the app it started must not outlive the jest
 * worker (it would hold ports, a data directory and a core).
 */
function killOnExit(child: ChildProcessWithoutNullStreams): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => live.forEach((running) => running.kill('SIGKILL')));
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Waits for `Press Ctrl-C to stop.` and reads the URLs above it. */
function bannerUrls(
  child: ChildProcessWithoutNullStreams,
  output: () => string,
  wait: { exited: Promise<ProcessExit>; timeoutMs: number },
): Promise<{ http: string; stream: string; worker: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not start within ${wait.timeoutMs} ms:\n${output()}`));
    }, wait.timeoutMs);
    const onData = (): void => {
      const out = output();
      if (!out.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const http = /API:\s+(http:\/\/\S+)\/todos/.exec(out)?.[1];
      const stream = /streams:\s+(ws:\/\/\S+)/.exec(out)?.[1];
      const worker = /engine:\s+(ws:\/\/\S+)/.exec(out)?.[1];
      if (http === undefined || stream === undefined || worker === undefined) {
        reject(new Error(`the banner lacks a REST, stream or engine URL:\n${out}`));
      } else {
        resolve({ http, stream, worker });
      }
    };
    child.stdout.on('data', onData);
    void wait.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code ?? signal}) before it was ready:\n${output()}`));
    });
  });
}

/** One `engine::settle` call from a worker connected for that call only. */
async function settleThrough(workerUrl: string, options: { timeoutMs: number; token: string | undefined }): Promise<void> {
  const probe = registerWorker(workerUrl, {
    workerName: 'settle-probe',
    otel: { enabled: false },
    enableMetricsReporting: false,
    ...(options.token !== undefined && options.token !== '' && { headers: { [WORKER_TOKEN_HEADER]: options.token } }),
  });
  try {
    await probe.trigger({
      function_id: 'engine::settle',
      payload: { timeout_ms: options.timeoutMs },
      timeoutMs: options.timeoutMs + 5_000,
    });
  } finally {
    await probe.shutdown();
  }
}

function isFresh(): boolean {
  const built = mtimeOf(STAMP);
  if (built === undefined || mtimeOf(MAIN) === undefined) return false;
  const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((file) => path.join(ROOT, file));
  return Math.max(newestUnder(path.join(ROOT, 'src')), ...inputs.map((file) => mtimeOf(file) ?? 0)) <= built;
}

function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : (mtimeOf(full) ?? 0));
  }
  return newest;
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Runs `work` holding a directory lock (mkdir is atomic), breaking a lock left by a killed build. */
function withLock(work: () => void): void {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const waitUntil = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = Date.now() - (mtimeOf(LOCK) ?? Date.now());
      if (age > STALE_LOCK_MS || Date.now() > waitUntil) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // a synchronous pause while another build runs
    }
  }
  try {
    utimesSync(LOCK, new Date(), new Date());
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
