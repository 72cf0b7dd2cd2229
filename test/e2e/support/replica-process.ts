/**
 * One copy of the reference app as its own process, connected to an engine it does not own
 * (`III_URL`), the way `III_URL=… npm start` runs a replica. It runs from the TypeScript sources
 * (`test/support/register-ts.js`), so nothing is built into the shared `dist/`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const BANNER = 'Press Ctrl-C to stop.';

export interface ReplicaProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when the app printed its banner (every function and trigger registered); rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGKILL unless it already exited; resolves once it has. */
  kill(): Promise<void>;
}

export interface ReplicaOptions {
  engineUrl: string;
  /** Extra environment (e.g. `III_ENGINE_SEMANTICS` is inherited; `III_LOG_LEVEL` defaults to warn). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the banner (default 120 s: a cold start transpiles the whole tree). */
  readyTimeoutMs?: number;
}

export function startReplica(options: ReplicaOptions): ReplicaProcess {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/support/register-ts.js'), path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, III_LOG_LEVEL: 'warn', ...options.env, III_URL: options.engineUrl },
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => reject(new Error(`replica not ready within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes(BANNER)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`replica exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`));
    });
  });
  // A test that never awaits `ready` (it killed the replica first) must not see an unhandled rejection.
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    output: () => out,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
