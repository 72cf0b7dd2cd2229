/**
 * Lets `node -r ./register-ts.js src/main.ts` run the app from its TypeScript sources, so the
 * end-to-end test can start the real entry point as a child process without a build step.
 * Transpile-only (like ts-jest with isolatedModules): type errors are the type-checker's job.
 * Output is cached on disk by content hash, so only the first start pays for the compiler.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CACHE_DIR = path.join(os.tmpdir(), 'iii-nest-register-ts-cache');
const OPTIONS = {
  module: 'CommonJS',
  target: 'ES2022',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  sourceMap: false,
};

let ts = null;
function transpile(source, filename) {
  ts = ts || require('typescript'); // loaded only on a cache miss: it is the slow part
  const compilerOptions = { ...OPTIONS, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  return ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
}

function cached(source, filename) {
  const key = crypto.createHash('sha256').update(JSON.stringify(OPTIONS)).update(filename).update(source).digest('hex');
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, file); // atomic: concurrent starts never read half a file
    } catch {
      // a cache that cannot be written only costs time
    }
    return output;
  }
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(cached(fs.readFileSync(filename, 'utf8'), filename), filename);
};
