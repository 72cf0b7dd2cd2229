/**
 * Serves the framework's StreamClient to browsers with no build step for the user.
 *
 * The client module (src/framework/streams/client.ts) has no runtime imports, so its CommonJS output
 * runs in a browser once given an `exports` object. We read that output at runtime:
 * - under `npm start` the compiled `client.js` sits next to this file's compiled twin in dist/;
 * - under ts-jest (or ts-node) only `client.ts` exists, so we transpile it with the `typescript`
 *   compiler the dev setup already has (never needed in production, where dist/ exists).
 * Reading the file, rather than `Function.prototype.toString()` on the class, keeps helper
 * functions and survives coverage instrumentation.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/** Name of the global the served script defines: `window.IIIStreams.StreamClient`, `.LiveGroup`, ... */
export const CLIENT_GLOBAL = 'IIIStreams';

const CLIENT_MODULE = path.resolve(__dirname, '../../framework/streams/client');

let cached: string | null = null;

/** The browser script, built once per process. Throws with a clear message if the client is missing. */
export function streamClientScript(): string {
  if (cached === null) cached = wrapForBrowser(loadCommonJs());
  return cached;
}

function loadCommonJs(): string {
  const js = `${CLIENT_MODULE}.js`;
  if (existsSync(js)) return readFileSync(js, 'utf8');
  const ts = `${CLIENT_MODULE}.ts`;
  if (existsSync(ts)) return transpile(readFileSync(ts, 'utf8'), ts);
  throw new Error(`Stream client not found: neither ${js} nor ${ts} exists (run "npm run build")`);
}

function transpile(source: string, fileName: string): string {
  // Loaded lazily: `typescript` is a dev dependency and is only needed when running from sources.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, sourceMap: false },
  }).outputText;
}

function wrapForBrowser(commonJs: string): string {
  const body = commonJs.replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  return [
    '(function (root) {',
    '  var exports = {};',
    '  var module = { exports: exports };',
    body,
    `  root.${CLIENT_GLOBAL} = module.exports;`,
    "})(typeof globalThis !== 'undefined' ? globalThis : self);",
    '',
  ].join('\n');
}
