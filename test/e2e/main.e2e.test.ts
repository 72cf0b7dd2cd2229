/**
 * The entry point itself (src/main.ts run as a program, like `npm start` minus the build): prints
 * its URLs, serves, stops cleanly on SIGINT (Ctrl-C) with exit code 0, and finds its data again.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import { Api, tempDataDir } from './support/app';
import { appChildEnv } from './support/app-process';

const ROOT = path.resolve(__dirname, '../..');

interface Program {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runMain(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Program {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '..', 'support', 'register-ts.js'), path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    // The default log level and telemetry setting: this test reads what `npm start` prints.
    env: appChildEnv(dataDir, { III_LOG_LEVEL: '', OTEL_ENABLED: process.env.OTEL_ENABLED, ...extraEnv }),
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Resolves once the banner is complete or the program has exited, whichever comes first. */
function bannerOrExit(program: Program): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!program.output().includes('Press Ctrl-C to stop.')) return;
      program.child.stdout.off('data', check);
      resolve();
    };
    program.child.stdout.on('data', check);
    void program.exited.then(() => resolve());
    check();
  });
}

async function pageUrlOf(program: Program): Promise<string> {
  await bannerOrExit(program); // bounded by the test's timeout: the first start transpiles the whole tree
  const match = /page:\s+(http:\/\/\S+?)\/?\n/.exec(program.output());
  if (!match) throw new Error(`no page URL in output:\n${program.output()}`);
  return match[1] as string;
}

describe('src/main.ts as a program', () => {
  const running: Program[] = [];
  afterEach(async () => {
    for (const program of running.splice(0)) {
      if (program.child.exitCode === null && program.child.signalCode === null) {
        program.child.kill('SIGKILL');
        await program.exited;
      }
    }
  });

  it('prints its URLs, serves, stops on SIGINT with exit code 0, and keeps the data for the next start', async () => {
    const data = tempDataDir();
    try {
      const first = runMain(data.dir);
      running.push(first);
      const base = await pageUrlOf(first);
      expect(first.output()).toMatch(/streams:\s+ws:\/\/127\.0\.0\.1:\d+/);
      expect(first.output()).toContain(`data:    ${data.dir}`);
      // Quiet by default: the banner only, none of iii-sdk's progress lines.
      expect(first.output()).not.toMatch(/\[iii\]|\[OTel\]/);
      const created = await new Api(base).create('survives a restart');
      expect(created.status).toBe(201);

      first.child.kill('SIGINT');

      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(first.output()).toContain('stopped');

      // Asked for with III_LOG_LEVEL=debug, the SDK's progress lines come back.
      const second = runMain(data.dir, { III_LOG_LEVEL: 'debug' });
      running.push(second);
      const list = await new Api(await pageUrlOf(second)).list();
      expect(list.body).toEqual([created.body]);
      expect(second.output()).toContain('[iii] Worker registered with ID:');
      expect(second.output()).toContain('[iii] listening:');
      second.child.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    } finally {
      data.remove();
    }
  }, 150_000);
});
