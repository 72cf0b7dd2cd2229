/**
 * `src/generated/api.ts` is committed (a fresh clone type-checks the page and clients without a
 * generation step), so it must be what `npm run generate -- client` writes for the app as it is:
 * the generator runs here as a program, from the sources, into a temporary file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function generateClient(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const args = ['-r', path.join(ROOT, 'test/support/register-ts.js'), path.join(ROOT, 'src/cli/generate/index.ts'), 'client', file];
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run generate -- client', () => {
  it('the committed src/generated/api.ts is up to date with the app (else: npm run generate -- client)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iii-client-'));
    try {
      const file = path.join(dir, 'api.ts');
      const result = await generateClient(file);
      expect(result).toMatchObject({ code: 0 });
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(ROOT, 'src/generated/api.ts'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
