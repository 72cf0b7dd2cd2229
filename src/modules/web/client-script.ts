/**
 * Serves the stream client (`src/client`) to browsers. `npm run build` bundles it into one script,
 * `dist/assets/stream-client.js` (scripts/build-client.js); this module only reads that file, so the
 * app needs no compiler at run time. Tests running from sources get it from jest's global setup.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/** Name of the global the served script defines: `window.IIIStreams.StreamClient`, `.LiveGroup`, ... */
export const CLIENT_GLOBAL = 'IIIStreams';

const ASSET = path.join('assets', 'stream-client.js');

/** Where the built asset is: beside `dist/src` when running the build, in `dist/` when running sources. */
export function streamClientAssetCandidates(): string[] {
  const up = path.resolve(__dirname, '..', '..', '..');
  return [path.join(up, ASSET), path.join(up, 'dist', ASSET)];
}

let cached: string | null = null;

/** The browser script, read once per process. Throws with a clear message if it was not built. */
export function streamClientScript(): string {
  if (cached === null) cached = readAsset();
  return cached;
}

function readAsset(): string {
  const candidates = streamClientAssetCandidates();
  const file = candidates.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new Error(`The browser stream client has not been built: none of ${candidates.join(', ')} exists (run "npm run build")`);
  }
  const script = readFileSync(file, 'utf8');
  if (!script.includes(`root.${CLIENT_GLOBAL} =`))
    throw new Error(`${file} does not define ${CLIENT_GLOBAL}: rebuild it with "npm run build"`);
  return script;
}
