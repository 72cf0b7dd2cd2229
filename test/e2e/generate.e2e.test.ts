/**
 * The generator as a new user runs it: in a copy of this project (node_modules linked, the rest
 * copied), `generate module`, `service`, `controller` and `reactions`, then the copy's strict type
 * check of the whole project, ESLint and Prettier on what was generated, and the generated tests.
 * It runs alone after the other suites (`npm run test:generate`): the copy compiles everything cold.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SKIPPED = new Set(['node_modules', 'dist', 'data', 'coverage', '.git']);

interface Run {
  code: number | null;
  output: string;
}

function run(cwd: string, args: readonly string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.JEST_WORKER_ID;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function succeed(cwd: string, args: readonly string[]): Promise<string> {
  const result = await run(cwd, args);
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited with ${result.code}:\n${result.output}`);
  return result.output;
}

describe('npm run generate in a copy of the project', () => {
  let copy: string;
  const generate = (...args: string[]): Promise<Run> =>
    run(copy, ['-r', path.join(copy, 'test/support/register-ts.js'), path.join(copy, 'src/cli/generate/index.ts'), ...args]);
  const bin = (name: string): string => path.join(copy, 'node_modules', name);

  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'iii-generate-e2e-'));
    cpSync(ROOT, copy, { recursive: true, filter: (source) => !SKIPPED.has(path.relative(ROOT, source).split(path.sep)[0] as string) });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('writes modules and parts that type-check, lint and pass their own tests at once', async () => {
    const created = await generate('module', 'shopping-items');
    expect(created).toMatchObject({ code: 0 });
    expect(created.output).toContain('created src/modules/shopping-items/shopping-items.module.ts');
    expect(created.output).toContain('updated src/app.module.ts');
    expect(readFileSync(path.join(copy, 'src/app.module.ts'), 'utf8')).toMatch(/imports: \[[^\]]*ShoppingItemsModule\]/);
    // User code imports the framework by its name (package.json `imports`), as the reference app does.
    expect(readFileSync(path.join(copy, 'src/modules/shopping-items/shopping-items.controller.ts'), 'utf8')).toContain("from '#framework'");
    // The parts alone, into a module directory that has no module file yet.
    for (const kind of ['service', 'controller', 'reactions']) expect(await generate(kind, 'audits')).toMatchObject({ code: 0 });

    // Refusals change nothing.
    const before = readFileSync(path.join(copy, 'src/modules/shopping-items/shopping-items.service.ts'), 'utf8');
    expect(await generate('module', 'shopping-items')).toMatchObject({ code: 1, output: expect.stringContaining('already exists') });
    expect(await generate('module', 'Shopping Items')).toMatchObject({ code: 1, output: expect.stringContaining('not a module name') });
    expect(readFileSync(path.join(copy, 'src/modules/shopping-items/shopping-items.service.ts'), 'utf8')).toBe(before);

    const generated = [
      'src/modules/shopping-items',
      'src/modules/audits',
      'src/app.module.ts',
      'test/unit/modules/shopping-items',
      'test/e2e/shopping-items.e2e.test.ts',
    ];
    // The whole project, as `npm run lint` checks it (strict, no unused locals or parameters).
    await succeed(copy, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit', '--noUnusedLocals', '--noUnusedParameters']);
    await succeed(copy, [bin('eslint/bin/eslint.js'), ...generated]);
    await succeed(copy, [bin('prettier/bin/prettier.cjs'), '--check', ...generated]);
    const tests = await succeed(copy, [
      bin('jest/bin/jest.js'),
      '--ci',
      '--testTimeout',
      '120000',
      'test/unit/modules/shopping-items',
      'test/e2e/shopping-items.e2e',
    ]);
    expect(tests).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 600_000);

  it('generate client follows a changed route and DTO, and the typed client stops compiling against the old ones', async () => {
    const edit = (file: string, from: string, to: string): void => {
      const text = readFileSync(path.join(copy, file), 'utf8');
      if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
      writeFileSync(path.join(copy, file), text.replace(from, to));
    };
    const client = (): string => readFileSync(path.join(copy, 'src/generated/api.ts'), 'utf8');
    const before = client();
    expect(before).toContain("'GET /todos/:id': {");
    expect(before).toMatch(/export interface CreateTodoDto \{\n {2}title: string;\n\}/);

    edit(
      'src/modules/todos/dto/create-todo.dto.ts',
      "import { IsString, Length } from 'class-validator';",
      "import { IsInt, IsString, Length } from 'class-validator';",
    );
    edit('src/modules/todos/dto/create-todo.dto.ts', '  title!: string;', '  title!: string;\n\n  @IsInt()\n  priority!: number;');
    edit('src/modules/todos/todos.controller.ts', "@Get(':id')", "@Get('by-id/:id')");
    expect(await generate('client')).toMatchObject({ code: 0, output: expect.stringContaining('created src/generated/api.ts') });

    const after = client();
    expect(after).toContain("'GET /todos/by-id/:id': {");
    expect(after).not.toContain("'GET /todos/:id': {");
    expect(after).toMatch(/export interface CreateTodoDto \{\n {2}title: string;\n {2}priority: number;\n\}/);
    // Generating again changes nothing.
    expect(await generate('client')).toMatchObject({ code: 0, output: expect.stringContaining('unchanged src/generated/api.ts') });

    // The typed client written against the old types no longer compiles.
    writeFileSync(
      path.join(copy, 'tsconfig.client-check.json'),
      JSON.stringify({ extends: './tsconfig.json', include: [], files: ['test/e2e/api-client.e2e.test.ts'] }),
    );
    const check = await run(copy, [bin('typescript/bin/tsc'), '-p', 'tsconfig.client-check.json', '--noEmit']);
    expect(check.code).not.toBe(0);
    expect(check.output).toContain('test/e2e/api-client.e2e.test.ts');
    expect(check.output).toContain('"GET /todos/:id"');
    expect(check.output).toContain('priority');
  }, 300_000);
});
