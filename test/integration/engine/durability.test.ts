/**
 * An acknowledged `state::set` is durable: the engine is SIGKILLed while writes are still in
 * flight, restarted on the same data directory, and every write it acknowledged is read back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IIIClient } from 'iii-sdk';
import { connectWorker, recordSdkConnectionErrors } from '../support/engine';
import { spawnEngine, type EngineProcess } from './support/engine-process';

jest.setTimeout(240_000);

interface Written {
  i: number;
  text: string;
}

describe('state durability across a crash', () => {
  let dataDir: string;
  const engines: EngineProcess[] = [];
  const clients: IIIClient[] = [];
  // The test kills the engine on purpose: its workers' reconnect attempts until they are shut down
  // are expected, so the SDK's connection errors are recorded instead of printed.
  let reconnectErrors: jest.SpyInstance;

  beforeAll(() => {
    reconnectErrors = recordSdkConnectionErrors();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-durability-'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.shutdown()));
    await Promise.all(engines.map((engine) => engine.kill()));
    fs.rmSync(dataDir, { recursive: true, force: true });
    reconnectErrors.mockRestore();
  });

  async function start(): Promise<EngineProcess> {
    const engine = await spawnEngine(['--data', dataDir]);
    engines.push(engine);
    return engine;
  }

  function client(url: string): IIIClient {
    const worker = connectWorker(url, { workerName: 'durability' });
    clients.push(worker);
    return worker;
  }

  it('reads back every acknowledged set, delete and update after SIGKILL and restart', async () => {
    const TARGET_ACKS = 400;
    const CONCURRENCY = 64;
    const first = await start();
    const writer = client(first.urls.worker);
    const call = (functionId: string, payload: unknown): Promise<unknown> => writer.trigger({ function_id: functionId, payload });

    // Acknowledged deletes and updates must be durable too.
    for (let n = 0; n < 10; n++) await call('state::set', { scope: 'removed', key: `gone-${n}`, value: n });
    await Promise.all(Array.from({ length: 10 }, (_, n) => call('state::delete', { scope: 'removed', key: `gone-${n}` })));
    await call('state::set', { scope: 'removed', key: 'kept', value: 'still here' });
    await Promise.all(
      Array.from({ length: 25 }, () =>
        call('state::update', { scope: 'counter', key: 'n', ops: [{ type: 'increment', path: 'hits', by: 1 }] }),
      ),
    );

    const acknowledged = new Map<string, Written>();
    let issued = 0;
    let killed = false;
    const inFlight: Array<Promise<void>> = [];

    await new Promise<void>((resolve) => {
      const issue = (): void => {
        if (killed) return;
        const i = issued++;
        const key = `key-${i}`;
        const value: Written = { i, text: `value ${i} ${'x'.repeat(i % 97)}` };
        const write = writer.trigger({ function_id: 'state::set', payload: { scope: 'durable', key, value } }).then(
          () => {
            // Any reply counts, even one read after the kill: the engine replies only after commit.
            acknowledged.set(key, value);
            if (!killed && acknowledged.size >= TARGET_ACKS) {
              killed = true;
              first.child.kill('SIGKILL');
              resolve();
            }
            issue();
          },
          () => undefined,
        );
        inFlight.push(write);
      };
      for (let n = 0; n < CONCURRENCY; n++) issue();
    });

    await expect(first.exited).resolves.toBe('SIGKILL');
    // Writes still in flight fail (or hang until shutdown); only the acknowledged ones matter.
    await writer.shutdown();
    clients.splice(clients.indexOf(writer), 1);
    // No assertion on `issued - acknowledged`: replies written in one tick arrive in one batch, so
    // every in-flight write may have been acknowledged before the kill landed. The kill still
    // follows the last acknowledgement immediately, which is what durability is about.

    const second = await start();
    const reader = client(second.urls.worker);
    const stored = await reader.trigger<unknown, Written[]>({ function_id: 'state::list', payload: { scope: 'durable' } });
    const byIndex = new Map(stored.map((value) => [value.i, value]));
    const missing = [...acknowledged.values()].filter((value) => byIndex.get(value.i)?.text !== value.text);
    expect(missing).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(TARGET_ACKS);

    await expect(reader.trigger({ function_id: 'state::list', payload: { scope: 'removed' } })).resolves.toEqual(['still here']);
    await expect(reader.trigger({ function_id: 'state::get', payload: { scope: 'counter', key: 'n' } })).resolves.toEqual({
      hits: 25,
    });

    // Point reads agree with the listing.
    const sample = [...acknowledged.entries()].slice(-5);
    for (const [key, value] of sample) {
      await expect(reader.trigger({ function_id: 'state::get', payload: { scope: 'durable', key } })).resolves.toEqual(value);
    }

    await expect(second.stop()).resolves.toBe(0);
  });
});
