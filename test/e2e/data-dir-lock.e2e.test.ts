/**
 * One running engine per data directory, across processes: a second app (or engine) on a directory
 * in use refuses to start and says why, and the first keeps working; a `kill -9` leaves no stale
 * lock, so the restart on the same data starts at once and finds every acknowledged write.
 */
import { startEngine } from '../../src/engine';
import { ensureAppBuilt, startAppProcess, type AppProcess } from './support/app-process';
import { Api, tempDataDir } from './support/app';

// Three app processes start in turn; on a loaded machine each can take seconds.
jest.setTimeout(180_000);

describe('the data directory lock', () => {
  const data = tempDataDir();
  const running: AppProcess[] = [];

  beforeAll(() => ensureAppBuilt());
  afterAll(async () => {
    await Promise.all(running.map((app) => app.kill()));
    data.remove();
  });

  async function start(): Promise<AppProcess> {
    const app = await startAppProcess({ dataDir: data.dir });
    running.push(app);
    return app;
  }

  it('refuses a second engine on a directory in use, and a kill -9 leaves no stale lock', async () => {
    const first = await start();
    const api = new Api(first.http);
    const created = await api.create('written by the first engine');
    expect(created.status).toBe(201);

    // Another app process on the same directory: exits with the reason, before opening anything.
    await expect(start()).rejects.toThrow(/Another running engine uses the data directory/);
    // An engine in this process: the same refusal as an error code.
    await expect(startEngine({ dataDir: data.dir, ephemeralPorts: true, host: '127.0.0.1' })).rejects.toEqual(
      expect.objectContaining({ code: 'DATA_DIR_IN_USE' }),
    );
    // The first engine never noticed.
    expect((await api.create('still writable')).status).toBe(201);

    expect((await first.kill()).signal).toBe('SIGKILL');
    const second = await start();
    const titles = (await new Api(second.http).list()).body.map((todo) => todo.title).sort();
    expect(titles).toEqual(['still writable', 'written by the first engine']);
    await second.stop();
  });
});
