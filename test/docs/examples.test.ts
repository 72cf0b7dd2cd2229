/**
 * The code in README.md and docs/*.md is real: every ```ts block quotes a file (or a `// #region`)
 * under docs/examples/, named by an `<!-- example: path#region -->` line right above it. This test
 * checks each quote against its file and type-checks every example with the project's compiler
 * options; the examples' own tests (docs/examples/**\/*.test.ts) run them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'docs/examples');
const MARKER = /^<!-- example: ([^#\s]+)(?:#([\w-]+))? -->$/;

/** The lines of a `// #region name` … `// #endregion name` block, or of the whole file without region markers. */
function quote(file: string, region: string | undefined): string {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const isMarker = (line: string): boolean => /^\s*\/\/ #(end)?region\b/.test(line);
  if (region === undefined)
    return lines
      .filter((line) => !isMarker(line))
      .join('\n')
      .trim();
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === `// #endregion ${region}`);
  if (start < 0 || end < 0) throw new Error(`${file} has no region "${region}"`);
  return lines
    .slice(start + 1, end)
    .filter((line) => !isMarker(line))
    .join('\n')
    .trim();
}

interface Block {
  doc: string;
  line: number;
  marker: RegExpExecArray | null;
  code: string;
}

function tsBlocks(doc: string): Block[] {
  const lines = readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] as string)) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    blocks.push({
      doc,
      line: i + 1,
      marker: MARKER.exec((lines[i - 1] ?? '').trim()),
      code: lines
        .slice(i + 1, end)
        .join('\n')
        .trim(),
    });
    i = end;
  }
  return blocks;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

const docs = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const blocks = docs.flatMap(tsBlocks);

describe('code in the README and docs/', () => {
  it('has TypeScript blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [`${b.doc}:${b.line}`, b] as const))('%s quotes its example file word for word', (_where, block) => {
    if (block.marker === null)
      throw new Error(`${block.doc}:${block.line}: a ts block needs an <!-- example: docs/examples/… --> line above it`);
    const [, file, region] = block.marker;
    expect(existsSync(path.join(ROOT, file as string))).toBe(true);
    expect(block.code).toBe(quote(file as string, region));
  });

  it('links only to files that exist', () => {
    const broken = docs.flatMap((doc) => {
      const text = readFileSync(path.join(ROOT, doc), 'utf8');
      const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] as string).filter((t) => !/^[a-z]+:/.test(t));
      return targets.filter((t) => !existsSync(path.join(ROOT, path.dirname(doc), t))).map((t) => `${doc} → ${t}`);
    });
    expect(broken).toEqual([]);
  });

  it('type-checks every example (strict, like npm run typecheck)', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('tsconfig.json not readable');
    const files = filesUnder(EXAMPLES).filter((f) => f.endsWith('.ts'));
    const program = ts.createProgram(files, { ...config.options, noEmit: true, noUnusedLocals: true, noUnusedParameters: true });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });
});
