/**
 * `state::get` answers a worker with the stored JSON text spliced into its result frame. What a
 * worker receives must be byte for byte the frame it received when the engine parsed the stored
 * value and serialised it again: checked on the raw socket for values with unusual JSON, from the
 * read cache, from a queued write, from the SQLite table after a restart (cold) and for a value
 * too large for the cache, and through the iii-sdk client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineHandle } from '../../../src/engine';
import type { Json } from '../../../src/protocol/json';
import { UNUSUAL_VALUES } from '../../support/unusual-json';
import { RawWorker } from '../support/raw-worker';
import { connectWorker, startTestEngine, type IIIClient } from '../support/engine';

/** The value a worker gets back for `value`: what a JSON round trip makes of it (-0 → 0). */
function roundTripped(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Stored values, one key each; the last one is larger than the read cache keeps (2,048 characters). */
const VALUES: Json[] = [...UNUSUAL_VALUES, { big: 'x'.repeat(5_000), tail: ['\u{1F600}', '"'] }];

/** Calls `state::get` on a raw socket; resolves the result frame's text exactly as it arrived. */
async function rawGet(worker: RawWorker, scope: string, key: string): Promise<{ text: string; invocationId: string }> {
  const invocationId = `7d0c7d0c-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const text = new Promise<string>((resolve) => {
    const onMessage = (data: Buffer): void => {
      const received = String(data);
      if (!received.includes(invocationId)) return;
      worker.socket.off('message', onMessage);
      resolve(received);
    };
    worker.socket.on('message', onMessage);
  });
  worker.send({ type: 'invokefunction', invocation_id: invocationId, function_id: 'state::get', data: { scope, key } });
  return { text: await text, invocationId };
}

function expectedFrame(invocationId: string, value: Json): string {
  return JSON.stringify({ type: 'invocationresult', invocation_id: invocationId, function_id: 'state::get', result: roundTripped(value) });
}

describe.each(['memory', 'sqlite'] as const)('state::get result frames (%s storage)', (storage) => {
  let dataDir: string;
  let engine: EngineHandle;
  const workers: RawWorker[] = [];
  const clients: IIIClient[] = [];

  async function start(): Promise<RawWorker> {
    engine = await startTestEngine({ storage, dataDir });
    const { worker } = await RawWorker.register(engine.urls.worker);
    workers.push(worker);
    return worker;
  }

  async function stop(): Promise<void> {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await Promise.all(clients.splice(0).map((client) => client.shutdown()));
    await engine.close();
  }

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-state-get-'));
  });

  afterEach(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the frame a parse and re-encode of the stored value would give, from the cache and from a queued write', async () => {
    const worker = await start();
    for (const [index, value] of VALUES.entries()) {
      const key = `k${index}`;
      // Not awaited: the get is applied while the write is still queued for its batch.
      worker.send({ type: 'invokefunction', function_id: 'state::set', data: { scope: 'wire', key, value }, action: { type: 'void' } });
      const queued = await rawGet(worker, 'wire', key);
      expect(queued.text).toBe(expectedFrame(queued.invocationId, value));
      const committed = await rawGet(worker, 'wire', key);
      expect(committed.text).toBe(expectedFrame(committed.invocationId, value));
    }
    const missing = await rawGet(worker, 'wire', 'missing');
    expect(missing.text).toBe(JSON.stringify({ type: 'invocationresult', invocation_id: missing.invocationId, function_id: 'state::get' }));
  });

  it('reads every value back identically through the iii-sdk client', async () => {
    await start();
    const client = connectWorker(engine.urls.worker, { workerName: 'state-get-wire' });
    clients.push(client);
    for (const [index, value] of VALUES.entries()) {
      await client.trigger({ function_id: 'state::set', payload: { scope: 'sdk', key: `k${index}`, value } });
      await expect(client.trigger({ function_id: 'state::get', payload: { scope: 'sdk', key: `k${index}` } })).resolves.toEqual(
        roundTripped(value),
      );
    }
  });

  if (storage === 'sqlite') {
    it('sends the same frames for values read cold from the table after a restart', async () => {
      const first = await start();
      for (const [index, value] of VALUES.entries()) await first.call('state::set', { scope: 'cold', key: `k${index}`, value });
      await stop();
      const worker = await start();
      for (const [index, value] of VALUES.entries()) {
        const cold = await rawGet(worker, 'cold', `k${index}`);
        expect(cold.text).toBe(expectedFrame(cold.invocationId, value));
      }
    });
  }
});
