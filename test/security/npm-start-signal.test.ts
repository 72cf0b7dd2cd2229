/**
 * `npm start` stops on a signal sent to the npm process (Ctrl-C in a terminal, `kill` of the pid a
 * supervisor knows): npm forwards SIGINT/SIGTERM to its script, and the script `exec`s node, so no
 * shell sits between npm and the app. Asserted: npm exits, the app process (npm's child) is gone,
 * and its ports are free again.
 *
 * The build step of `npm start` (`npm run build && …`) is a plain `tsc` that has finished before
 * the app starts; running it here would rewrite `dist/` under the other tests. So the test runs
 * the script's own command after the build (read from package.json, asserted to be `exec node …`)
 * through the real npm, in a scratch package whose `start` is that command, on the built `dist/`.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { appChildEnv, ensureAppBuilt } from '../e2e/support/app-process';
import { tempDataDir } from '../e2e/support/app';

const ROOT = path.resolve(__dirname, '../..');

/** The part of the `start` script that runs once the build is done. */
function startCommand(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [build, run] = (pkg.scripts.start ?? '').split('&&').map((part) => part.trim());
  expect(build).toMatch(/^npm run build/);
  expect(run).toBe('exec node dist/src/main.js');
  return (run as string).replace('dist/src/main.js', JSON.stringify(path.join(ROOT, 'dist/src/main.js')));
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `port` on 127.0.0.1 can be bound again (the app released it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Starts `npm start` (the post-build command) and resolves with npm, the app's pid and its ports once the banner is out. */
async function npmStart(dataDir: string, scratch: string): Promise<{ npm: ChildProcessWithoutNullStreams; app: number; ports: number[] }> {
  writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'npm-start-signal', private: true, scripts: { start: startCommand() } }),
  );
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: scratch,
    env: appChildEnv(dataDir),
  });
  let out = '';
  npm.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner:\n${out}`)), 60_000);
    const check = (): void => {
      if (!out.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      resolve();
    };
    npm.stdout.on('data', check);
    npm.once('exit', () => reject(new Error(`npm exited early:\n${out}`)));
  });
  const ports = [...out.matchAll(/(?:http|ws):\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  const children = childrenOf(npm.pid as number);
  expect(children).toHaveLength(1);
  // `exec`: the shell npm started became node itself.
  expect(readFileSync(`/proc/${children[0]}/cmdline`, 'utf8')).toContain('dist/src/main.js');
  return { npm, app: children[0] as number, ports };
}

describe('npm start and signals sent to npm', () => {
  const data = tempDataDir();
  const scratch = mkdtempSync(path.join(tmpdir(), 'npm-start-'));

  beforeAll(() => ensureAppBuilt(), 300_000);
  afterAll(() => {
    data.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s to the npm process stops the app, frees its ports and leaves no orphan',
    async (signal) => {
      const { npm, app, ports } = await npmStart(data.dir, scratch);
      expect(ports.length).toBeGreaterThanOrEqual(3);
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      npm.kill(signal);
      await exited;
      const deadline = Date.now() + 10_000;
      while (alive(app) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive(app)).toBe(false);
      for (const port of ports) expect(await portFree(port)).toBe(true);
    },
    120_000,
  );
});
