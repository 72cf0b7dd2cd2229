import { EngineCore } from '../../../../../src/engine/core/engine-core';
import { openStorage } from '../../../../../src/engine/storage';
import { ChannelsWorker, CREATE_CHANNEL_FUNCTION } from '../../../../../src/engine/workers/channels';

describe('ChannelsWorker', () => {
  let core: EngineCore;
  let worker: ChannelsWorker;

  beforeEach(() => {
    core = new EngineCore(openStorage({ kind: 'memory' }));
  });

  afterEach(async () => {
    await worker.stop();
    await core.storage.close();
  });

  it('registers engine::channels::create under iii-engine-functions and answers a ref pair', async () => {
    worker = new ChannelsWorker(core);
    await worker.start();

    const refs = (await core.invoke(CREATE_CHANNEL_FUNCTION, { buffer_size: 8 })) as { writer: { channel_id: string; access_key: string } };

    expect(core.functionWorkerName(CREATE_CHANNEL_FUNCTION)).toBe('iii-engine-functions');
    expect(worker.registry.find(refs.writer.channel_id, refs.writer.access_key)?.capacity).toBe(8);
  });

  it('hooks into upgrades and connection cleanup while running, and unhooks on stop', async () => {
    worker = new ChannelsWorker(core);
    await worker.start();
    expect([core.upgradeHandlers.length, core.connectionCleanupHooks.length]).toEqual([1, 1]);

    await worker.stop();

    expect([core.upgradeHandlers.length, core.connectionCleanupHooks.length]).toEqual([0, 0]);
  });

  it("drops a worker's owned channels when its connection is cleaned up", async () => {
    worker = new ChannelsWorker(core);
    await worker.start();
    const owned = worker.registry.create(4, 'w1');

    for (const hook of core.connectionCleanupHooks) hook('w1');

    expect(worker.registry.find(owned.id, owned.key)).toBeUndefined();
  });

  it('sweeps half-used channels on its interval', async () => {
    jest.useFakeTimers();
    try {
      worker = new ChannelsWorker(core, { sweepIntervalMs: 60_000 });
      await worker.start();
      worker.registry.create().claimWriter();

      jest.advanceTimersByTime(4 * 60_000);
      expect(worker.registry.size).toBe(1);
      jest.advanceTimersByTime(2 * 60_000);

      expect(worker.registry.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('drops every channel on stop', async () => {
    worker = new ChannelsWorker(core);
    await worker.start();
    worker.registry.create();

    await worker.stop();

    expect(worker.registry.size).toBe(0);
  });
});
