/**
 * Child processes for the benchmarks: servers pinned to one core, load generators to the other,
 * and what the kernel says they cost (CPU time from /proc/<pid>/stat, RSS from /proc/<pid>/status).
 */
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** dist/ root, where the compiled bench and app live. */
export const DIST = join(__dirname, '..', '..');

const canPin = cpus().length >= 2 && existsSync('/usr/bin/taskset');
/** Core for the server under test and for the load (the bench's own process runs with the load). */
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Whether server and load are pinned to different cores on this machine. */
export function pinned(): boolean {
  return canPin;
}

/** Pins every thread of `pid` to `cpu` (no-op without taskset or a second core). */
export function pin(pid: number, cpu: string): void {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
}

/** User + system CPU seconds the process has used so far (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds used by this process's children that have exited (servers and load generators once stopped). */
export function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Resident set size in KiB. */
export function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Where a server can be reached once it has announced itself. */
export interface ServerUrls {
  http: string;
  stream?: string;
}

/** How to start one server: a compiled script and how it says it is ready. */
export interface ServerSpec {
  name: string;
  /** Under dist/, or an absolute path. */
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Reads the URLs from everything printed so far; undefined until ready. */
  ready(output: string): ServerUrls | undefined;
}

export interface RunningServer {
  name: string;
  pid: number;
  urls: ServerUrls;
  stop(): Promise<void>;
}

/** Starts `spec` pinned to the server core; resolves once it announced its URLs (bounded wait). */
export async function startServer(spec: ServerSpec, timeoutMs = 30_000): Promise<RunningServer> {
  // BENCH_PROFILE=<dir>: every server writes a V8 CPU profile there when it stops (`node --cpu-prof`).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, isAbsolute(spec.script) ? spec.script : join(DIST, spec.script), ...(spec.args ?? [])],
    {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  pin(child.pid as number, SERVER_CPU);
  let output = '';
  const urls = await new Promise<ServerUrls>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a server that never got ready must not outlive the bench
      reject(new Error(`${spec.name} not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = spec.ready(output);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${code}) before it was ready:\n${output}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  return { name: spec.name, pid: child.pid as number, urls, stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A load-generator process (compiled script under dist/bench/load) on the load core, spoken to over IPC. */
export interface LoadProcess {
  pid: number;
  /** Sends `message` and waits for the next message of type `reply` (bounded). */
  ask<T>(message: object, reply: string, timeoutMs?: number): Promise<T>;
  /** Waits for the next message of type `type` without sending anything. */
  next<T>(type: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** `cpu`: the load core by default; SERVER_CPU for a process that is itself the thing measured. */
export function startLoad(script: string, config: object, cpu: string = LOAD_CPU): LoadProcess {
  const child = fork(join(DIST, 'bench', 'load', script), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pin(child.pid as number, cpu);
  const next = <T>(type: string, timeoutMs = 120_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type?: string }): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as T);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`${script} exited (${code}) while waiting for ${type}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${script}: no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return {
    pid: child.pid as number,
    next,
    ask<T>(message: object, reply: string, timeoutMs?: number) {
      const answer = next<T>(reply, timeoutMs);
      child.send(message);
      return answer;
    },
    stop: () => stopChild(child),
  };
}
