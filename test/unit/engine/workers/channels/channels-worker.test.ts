import { EngineCore } from '../../../../../src/engine/core/engine-core';
import { openStorage } from '../../../../../src/engine/storage';
import { ChannelsWorker, CREATE_CHANNEL_FUNCTION } from '../../../../../src/engine/workers/channels';

describe('ChannelsWorker', () => {
  let core: EngineCore;
  let worker: ChannelsWorker;

  beforeEach(() => {
    core = new EngineCore(openStorage({ kind: 'memory' }));
  });

  /** The context the worker table gives it. */
  const context = () => core.createContext('iii-channels', { listedAs: 'iii-engine-functions' });

  afterEach(async () => {
    await worker.stop();
    await core.storage.close();
  });

  it('registers engine::channels::create under iii-engine-functions and answers a ref pair', async () => {
    worker = new ChannelsWorker();
    await worker.start(context());

    const refs = (await core.invoke(CREATE_CHANNEL_FUNCTION, { buffer_size: 8 })) as { writer: { channel_id: string; access_key: string } };

    expect(core.functionWorkerName(CREATE_CHANNEL_FUNCTION)).toBe('iii-engine-functions');
    expect(worker.registry.find(refs.writer.channel_id, refs.writer.access_key)?.capacity).toBe(8);
  });

  it('hooks into upgrades and connection cleanup while running, and unhooks on stop', async () => {
    worker = new ChannelsWorker();
    await worker.start(context());
    expect([core.upgradeHandlers.length, core.workerLeftHookCount]).toEqual([1, 1]);

    await worker.stop();

    expect([core.upgradeHandlers.length, core.workerLeftHookCount]).toEqual([0, 0]);
  });

  it("drops a worker's owned channels when its connection is cleaned up", async () => {
    worker = new ChannelsWorker();
    await worker.start(context());
    const owned = worker.registry.create(4, 'w1');

    core.workerLeft('w1');

    expect(worker.registry.find(owned.id, owned.key)).toBeUndefined();
  });

  it('sweeps half-used channels on its interval', async () => {
    jest.useFakeTimers();
    try {
      worker = new ChannelsWorker({ sweepIntervalMs: 60_000 });
      await worker.start(context());
      worker.registry.create().claimWriter();

      jest.advanceTimersByTime(4 * 60_000);
      expect(worker.registry.size).toBe(1);
      jest.advanceTimersByTime(2 * 60_000);

      expect(worker.registry.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('provides iii-http its request and response channels', async () => {
    worker = new ChannelsWorker();
    await worker.start(context());

    const http = core.createContext('iii-http', { needs: ['http-channels'] });

    expect(typeof http.use('http-channels')?.open).toBe('function');
  });

  it('drops every channel on stop', async () => {
    worker = new ChannelsWorker();
    await worker.start(context());
    worker.registry.create();

    await worker.stop();

    expect(worker.registry.size).toBe(0);
  });
});
