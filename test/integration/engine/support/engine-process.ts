/**
 * Runs the engine CLI (src/engine/cli.ts) as a child process from its TypeScript sources, for
 * tests that must kill the engine outright (durability). Waits for the CLI's
 * `III_ENGINE_READY {urls}` line; `stop()` ends it with SIGTERM, `kill()` with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const HOOK = path.join(__dirname, '..', '..', '..', 'support', 'register-ts.js');
const CLI = path.join(ROOT, 'src/engine/cli.ts');
const READY = 'III_ENGINE_READY ';

export interface EngineUrls {
  worker: string;
  http?: string;
  stream?: string;
}

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly urls: EngineUrls;
  /** Settles with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  kill(): Promise<number | string>;
  stop(): Promise<number | string>;
}

export async function spawnEngine(args: readonly string[], startTimeoutMs = 90_000): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['-r', HOOK, CLI, '--ephemeral', '--host', '127.0.0.1', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_ENABLED: 'false' },
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const urls = await new Promise<EngineUrls>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not start within ${startTimeoutMs}ms:\n${output}`));
    }, startTimeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      output += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith(READY));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(READY.length)) as EngineUrls);
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${how}) before it was ready:\n${output}`));
    });
  });
  const end = (signal: NodeJS.Signals): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, urls, exited, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
