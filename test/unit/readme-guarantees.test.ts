/**
 * The README's table of deliberate differences and the embedded-only test markers name the same
 * guarantees: every id the tests use is documented, and every documented id is one the test
 * helper knows (so a renamed or dropped guarantee fails here, not silently in the two-mode CI run).
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { EMBEDDED_GUARANTEES } from '../support/semantics';

const ROOT = path.resolve(__dirname, '../..');

function readmeGuaranteeIds(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Where we deliberately differ from the real engine');
  if (start < 0) throw new Error('README.md has no "Where we deliberately differ from the real engine" section');
  const rest = readme.slice(start + 1);
  const next = rest.search(/\n#{1,3} /);
  const table = next < 0 ? rest : rest.slice(0, next);
  return [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]!);
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? testFiles(full) : full.endsWith('.test.ts') ? [full] : [];
  });
}

describe("README's guarantee table", () => {
  it('lists exactly the guarantees the test helper knows', () => {
    expect(readmeGuaranteeIds()).toEqual([...EMBEDDED_GUARANTEES]);
  });

  it('documents every guarantee an embedded-only test relies on', () => {
    const used = new Set<string>();
    for (const file of testFiles(path.join(ROOT, 'test'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/itEmbeddedOnly\(\s*'([^']+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(0);
    for (const id of used) expect(readmeGuaranteeIds()).toContain(id);
  });
});
