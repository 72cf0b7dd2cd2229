import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStorage } from '../../../../src/engine/storage';
import { lockDataDirectory } from '../../../../src/engine/storage/data-dir-lock';

describe('one engine per data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second lock on the directory until the first is released', () => {
    const first = lockDataDirectory(dir, 20);
    expect(() => lockDataDirectory(dir, 20)).toThrow(expect.objectContaining({ code: 'DATA_DIR_IN_USE' }));
    first.release();
    first.release(); // idempotent
    const second = lockDataDirectory(dir, 20);
    second.release();
  });

  it('refuses to open a second storage on a directory in use, names it, and leaves the first working', async () => {
    const first = openStorage({ kind: 'sqlite', directory: dir });
    await first.kv.set('state', 's', 'k', 1);
    let refusal: unknown;
    try {
      openStorage({ kind: 'sqlite', directory: dir });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toEqual(expect.objectContaining({ code: 'DATA_DIR_IN_USE' }));
    expect((refusal as Error).message).toContain(dir);
    await first.kv.set('state', 's', 'k', 2);
    await first.close();

    const reopened = openStorage({ kind: 'sqlite', directory: dir });
    try {
      await expect(reopened.kv.get('state', 's', 'k')).resolves.toBe(2);
    } finally {
      await reopened.close();
    }
  });

  it('releases the lock when opening the database fails', () => {
    fs.mkdirSync(path.join(dir, 'iii.db')); // a directory where the database file should be
    expect(() => openStorage({ kind: 'sqlite', directory: dir })).toThrow(expect.objectContaining({ code: 'STORAGE_OPEN_FAILED' }));
    lockDataDirectory(dir, 20).release();
  });
});
