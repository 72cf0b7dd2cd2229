/**
 * Code comments cite the engine contract as `engine.md §N.M`: every cited section must exist in
 * docs/engine.md, nothing may cite a document outside the repository, and every engine error code
 * is documented there.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { ENGINE_ERROR_CODES } from '../../src/engine/core/error-codes';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'engine.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(ts|js|md)$/.test(name) ? [full] : [];
  });
}

const SOURCES = ['src', 'test', 'bench', 'scripts'].flatMap((dir) => files(path.join(ROOT, dir))).concat(path.join(ROOT, 'README.md'));
const DOCS = files(path.join(ROOT, 'docs'));
// Written in pieces so this file does not cite them itself.
const OUTSIDE = [['iii-engine', 'spec'].join('-'), ['../', 'shared/'].join(''), ['spec', '§'].join(' ')];

/** Section numbers docs/engine.md defines: headings `## 7.` / `### 7.2`, and `- §6.3` entries. */
function definedSections(): Set<string> {
  const defined = new Set<string>();
  for (const match of DOC.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[ .]/gm)) defined.add(match[1]);
  // `- §6.4–6.7` defines 6.4, 6.5, 6.6 and 6.7.
  for (const match of DOC.matchAll(/^- §(\d+)\.(\d+)(?:–\d+\.(\d+))?/gm)) {
    for (let minor = Number(match[2]); minor <= Number(match[3] ?? match[2]); minor++) defined.add(`${match[1]}.${minor}`);
  }
  return defined;
}

describe('docs/engine.md references', () => {
  it('every § a source file cites exists in docs/engine.md', () => {
    const defined = definedSections();
    const missing: string[] = [];
    for (const file of SOURCES) {
      for (const match of readFileSync(file, 'utf8').matchAll(/§ ?(\d+(?:\.\d+)?)/g)) {
        if (!defined.has(match[1])) missing.push(`${path.relative(ROOT, file)}: §${match[1]}`);
      }
    }
    expect(defined.size).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('nothing cites a document that is not in the repository', () => {
    const outside = [...SOURCES, ...DOCS].filter((file) => {
      const text = readFileSync(file, 'utf8');
      return OUTSIDE.some((needle) => text.includes(needle));
    });
    expect(outside.map((file) => path.relative(ROOT, file))).toEqual([]);
  });

  it('documents every engine error code', () => {
    const section = DOC.slice(DOC.indexOf('### 3.13'), DOC.indexOf('## 4.'));
    expect(ENGINE_ERROR_CODES.filter((code) => !section.includes(`\`${code}\``))).toEqual([]);
  });
});
