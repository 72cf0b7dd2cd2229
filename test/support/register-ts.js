/**
 * `node -r test/support/register-ts.js src/main.ts` (or `src/engine/cli.ts`): lets a test run a
 * program as a child process straight from its TypeScript sources (ts-node is not installed, and
 * building into the shared dist/ would race other test runs). Each .ts file is transpiled on require with the project's compiler
 * options and no type checking, like ts-jest with isolatedModules. Outputs are cached on disk by
 * content hash, so a restarted engine starts fast.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE_DIR = path.join(os.tmpdir(), 'iii-transpile-cache-v1');
let ts; // loaded on the first cache miss only: requiring typescript costs about a second

function transpile(source, filename) {
  ts ??= require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

function cached(source, filename) {
  const hash = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE_DIR, `${hash}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      // Write then rename, so a concurrent process never reads half a file.
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, output);
      fs.renameSync(temp, file);
    } catch {
      // The cache is an optimisation only.
    }
    return output;
  }
}

// `#framework` (package.json `imports`) resolves to the TypeScript sources here, as under jest:
// Node's own resolution would pick the compiled `dist/` (its `default` condition).
const Module = require('node:module');
const ROOT = path.resolve(__dirname, '..', '..');
const { imports } = require(path.join(ROOT, 'package.json'));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveSubpathImport(request, ...rest) {
  const target = imports[request];
  if (target !== undefined) return path.join(ROOT, target.source);
  return resolveFilename.call(this, request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(cached(fs.readFileSync(filename, 'utf8'), filename), filename);
};
