/**
 * The page's script is plain JavaScript (no build step), annotated with JSDoc types from the
 * generated client (`src/generated/api.ts`). Here the compiler checks it (`checkJs`) as it would
 * sit beside page-script.ts, with `window.IIIStreams` typed as the stream client: a route key,
 * route input or todo field the server no longer has is a type error, not a broken page.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { CLIENT_GLOBAL } from '../../../../src/modules/web/client-script';
import { PAGE_SCRIPT } from '../../../../src/modules/web/page-script';

const ROOT = path.resolve(__dirname, '../../../..');
const WEB = path.join(ROOT, 'src/modules/web');
const PAGE_FILE = path.join(WEB, 'page-script.check.js');
const GLOBALS_FILE = path.join(WEB, 'page-globals.check.d.ts');
const GLOBALS = `import type * as client from '../../client';
declare global {
  interface Window {
    ${CLIENT_GLOBAL}: typeof client;
  }
}
export {};
`;

/** Library and project files parsed once for all the checks below (the DOM lib alone is large). */
const parsed = new Map<string, ts.SourceFile | undefined>();

function typeErrors(script: string): string[] {
  const virtual = new Map([
    [PAGE_FILE, script],
    [GLOBALS_FILE, GLOBALS],
  ]);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    allowJs: true,
    checkJs: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    // The DOM lookups (`getElementById`) are trusted to find the page's own elements.
    strictNullChecks: false,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, language, ...rest) => {
    const text = virtual.get(path.resolve(fileName));
    if (text !== undefined) return ts.createSourceFile(fileName, text, language);
    if (!parsed.has(fileName)) parsed.set(fileName, getSourceFile.call(host, fileName, language, ...rest));
    return parsed.get(fileName);
  };
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(path.resolve(fileName)) ?? readFile.call(host, fileName);
  const program = ts.createProgram([PAGE_FILE, GLOBALS_FILE], options, host);
  // Only the page's own problems: the TypeScript it imports is checked, strictly, by `npm run lint`.
  const page = program.getSourceFile(PAGE_FILE);
  const diagnostics = [...program.getSyntacticDiagnostics(page), ...program.getSemanticDiagnostics(page)];
  return diagnostics.map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe("the page's script against the generated client types", () => {
  it('type-checks', () => {
    expect(typeErrors(PAGE_SCRIPT)).toEqual([]);
  });

  it.each([
    [
      'a todo field the server does not send',
      (s: string) => s.replace('title.textContent = todo.title;', 'title.textContent = todo.name;'),
      'name',
    ],
    [
      'a body field the DTO does not have',
      (s: string) => s.replace('{ body: { title: input.value } }', '{ body: { text: input.value } }'),
      'text',
    ],
    [
      'a route the server does not have',
      (s: string) => s.replace("send('DELETE /todos/:id'", "send('DELETE /todo/:id'"),
      'DELETE /todo/:id',
    ],
    ['a route input without its path parameter', (s: string) => s.replace('{ params: { id: todo.id } }', '{}'), 'params'],
  ])('fails on %s', (_what, change, mention) => {
    const changed = change(PAGE_SCRIPT);
    expect(changed).not.toBe(PAGE_SCRIPT);
    const errors = typeErrors(changed);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(mention);
  });
});
