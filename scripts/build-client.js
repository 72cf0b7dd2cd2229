// Builds the stream client (src/client) into one browser script, dist/assets/stream-client.js,
// which defines `globalThis.IIIStreams` (`StreamClient`, `LiveGroup`, ...). Run by `npm run build`
// and, so tests running from sources find a fresh one, by jest's global setup.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'src', 'client', 'index.ts');
const OUT = path.join(ROOT, 'dist', 'assets', 'stream-client.js');
const GLOBAL = 'IIIStreams';

async function buildClient() {
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const body = result.outputFiles[0].text;
  const script = [
    '(function (root) {',
    '  var exports = {};',
    '  var module = { exports: exports };',
    body,
    `  root.${GLOBAL} = module.exports;`,
    "})(typeof globalThis !== 'undefined' ? globalThis : self);",
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  // Written aside then renamed, so a server reading the asset never sees half a file.
  const temp = `${OUT}.${process.pid}.tmp`;
  fs.writeFileSync(temp, script);
  fs.renameSync(temp, OUT);
  return OUT;
}

module.exports = buildClient;

if (require.main === module) {
  buildClient().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
