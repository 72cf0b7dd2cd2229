/**
 * The layering rules of the source tree, read from the import statements themselves (TypeScript's
 * own `preProcessFile`), so a stray import fails here rather than in review:
 * - `src/protocol` (the wire contract) imports nothing of ours;
 * - `src/client` (the browser stream client) imports only `src/protocol`;
 * - `src/framework` reaches the engine only through its entry, `src/engine/index.ts`;
 * - no worker folder under `src/engine/workers/` imports another (shared pieces live in the
 *   kernel, `engine/lib` or `engine/adapters`);
 * - the reference app and the docs' examples import the framework by its name, `#framework`
 *   (package.json `imports`), never by a relative path, so user code reads the same everywhere;
 * - the engine's listeners share one lifecycle (`engine/lib/listener`), and bounded waits go through
 *   `engine/lib/deadline` instead of a hand-rolled timer and `Promise.race`.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

interface Import {
  from: string;
  /** Resolved path relative to the repository root, or the bare package name. */
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** package.json `imports`: `#framework` → `src/framework`. */
const SUBPATHS: Record<string, { source: string }> = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).imports;

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const from = path.relative(ROOT, file);
  return info.importedFiles.map(({ fileName }) => {
    const subpath = SUBPATHS[fileName];
    if (subpath !== undefined) return { from, to: path.relative(ROOT, path.resolve(ROOT, subpath.source)).replace(/\/index\.ts$/, '') };
    return { from, to: fileName.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(file), fileName)) : fileName };
  });
}

const ALL = sourceFiles(SRC).flatMap(importsOf);
const ours = (i: Import): boolean => i.to.startsWith('src/');
const within = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);
const show = (list: Import[]): string[] => list.map((i) => `${i.from} → ${i.to}`);

describe('import rules', () => {
  it('reads the imports of the whole source tree', () => {
    expect(ALL.filter((i) => within(i.from, 'src/engine')).length).toBeGreaterThan(100);
    expect(ALL).toContainEqual({ from: 'src/framework/index.ts', to: 'src/client' });
  });

  it('src/protocol imports nothing of ours but itself', () => {
    const bad = ALL.filter((i) => within(i.from, 'src/protocol') && ours(i) && !within(i.to, 'src/protocol'));
    expect(show(bad)).toEqual([]);
  });

  it('src/client imports only src/protocol (and itself)', () => {
    const bad = ALL.filter((i) => within(i.from, 'src/client') && !within(i.to, 'src/client') && !within(i.to, 'src/protocol'));
    expect(show(bad)).toEqual([]);
  });

  it('src/framework imports the engine only through src/engine/index.ts', () => {
    const bad = ALL.filter(
      (i) => within(i.from, 'src/framework') && within(i.to, 'src/engine') && i.to !== 'src/engine' && i.to !== 'src/engine/index',
    );
    expect(show(bad)).toEqual([]);
  });

  it('no worker folder imports another worker folder', () => {
    const workerOf = (p: string): string | undefined => /^src\/engine\/workers\/([^/]+)\//.exec(p)?.[1];
    const bad = ALL.filter((i) => {
      const from = workerOf(i.from);
      const to = workerOf(`${i.to}/`);
      return from !== undefined && to !== undefined && from !== to;
    });
    expect(show(bad)).toEqual([]);
  });

  it('the reference app and the docs examples import the framework as #framework, never by path', () => {
    const userCode = [
      ...sourceFiles(path.join(SRC, 'modules')),
      ...['main.ts', 'app.module.ts', 'app.config.ts'].map((name) => path.join(SRC, name)),
      ...sourceFiles(path.join(ROOT, 'docs', 'examples')),
    ];
    const specifiers = (file: string): string[] =>
      ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    const byPath = userCode.flatMap((file) =>
      specifiers(file)
        .filter((name) => name.startsWith('.') && within(path.relative(ROOT, path.resolve(path.dirname(file), name)), 'src/framework'))
        .map((name) => `${path.relative(ROOT, file)} → ${name}`),
    );
    expect(userCode.filter((file) => specifiers(file).includes('#framework')).length).toBeGreaterThan(15);
    expect(byPath).toEqual([]);
  });

  it('the engine listeners share the lifecycle of engine/lib/listener', () => {
    const listeners = ['src/engine/worker-manager/listener.ts', 'src/engine/workers/http/index.ts', 'src/engine/workers/stream/server.ts'];
    const missing = listeners.filter((file) => !ALL.some((i) => i.from === file && i.to === 'src/engine/lib/listener'));
    expect(missing).toEqual([]);
  });

  it('bounded waits in the engine use engine/lib/deadline, not a hand-rolled Promise.race', () => {
    // The bridge races a lost connection, not a clock.
    const allowed = new Set(['src/engine/lib/deadline.ts', 'src/engine/adapters/bridge/client.ts']);
    const racing = sourceFiles(path.join(SRC, 'engine'))
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !allowed.has(file) && readFileSync(path.join(ROOT, file), 'utf8').includes('Promise.race('));
    expect(racing).toEqual([]);
  });

  it('workers receive the bridge connection from the worker table: they import its types, never BridgeClient itself', () => {
    const clientModules = new Set(['src/engine/adapters/bridge', 'src/engine/adapters/bridge/index', 'src/engine/adapters/bridge/client']);
    const valueImports = sourceFiles(path.join(SRC, 'engine', 'workers')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const from = path.relative(ROOT, file);
      return [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)]
        .filter((m) => m[1] === undefined && clientModules.has(path.relative(ROOT, path.resolve(path.dirname(file), m[2] as string))))
        .map((m) => `${from} → ${m[2]}`);
    });
    expect(valueImports).toEqual(['src/engine/workers/index.ts → ../adapters/bridge']);
  });

  it('the worker manager sees the kernel as WorkerManagerKernel (reads through the registry views), never EngineCore', () => {
    const bad = sourceFiles(path.join(SRC, 'engine', 'worker-manager'))
      .filter((file) => /\bEngineCore\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(bad).toEqual([]);
  });
});
