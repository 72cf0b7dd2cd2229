/**
 * `engine::settle` (and `EngineHandle.settle`) waits for more than state reactions: a fired
 * trigger whose handler has not returned, and stream frames not yet handed to a connected
 * client's socket, keep the engine busy; it settles as soon as they are done.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { deferred } from '../../support/wait';
import { TestHarness, waitForFunctions, waitForTrigger, type IIIClient } from '../support/engine';

describe('settle()', () => {
  let h: TestHarness;
  let iii: IIIClient;

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('settle-tests');
  });

  afterAll(async () => {
    await h.close();
  });

  it('waits for a fired pub/sub handler to return', async () => {
    const held = deferred();
    let handled = 0;
    iii.registerFunction('settle-tests::on-topic', async () => {
      await held.promise;
      handled += 1;
      return null;
    });
    const trigger = iii.registerTrigger({ type: 'subscribe', function_id: 'settle-tests::on-topic', config: { topic: 'settle' } });
    try {
      await waitForFunctions(iii, ['settle-tests::on-topic']);
      await waitForTrigger(iii, 'settle-tests::on-topic');
      await iii.trigger({ function_id: 'publish', payload: { topic: 'settle', data: { n: 1 } } });

      await expect(h.engine.settle(200)).rejects.toMatchObject({ code: 'settle_timeout', message: /engine:fired-triggers/ });
      held.resolve();
      await h.engine.settle();
      expect(handled).toBe(1);
    } finally {
      trigger.unregister();
    }
  });

  it('waits until every stream frame is written to a client that reads slowly', async () => {
    const socket = new WebSocket(String(h.urls.stream));
    const frames: Array<{ event: { type: string; event?: { type: string; data: { n: number } } } }> = [];
    let expected = Number.POSITIVE_INFINITY;
    let allReceived: () => void = () => undefined;
    const received = new Promise<void>((resolve) => (allReceived = resolve));
    socket.on('message', (raw) => {
      frames.push(JSON.parse(String(raw)) as (typeof frames)[number]);
      if (frames.length === expected) allReceived();
    });
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const synced = new Promise<void>((resolve) => socket.once('message', () => resolve()));
      socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'settle', groupId: 'g' } }));
      await synced;
      const tcp = (socket as unknown as { _socket: Socket })._socket;
      tcp.pause(); // stops reading: once the kernel's buffers are full, frames wait in the engine

      // Chunks until the engine holds a backlog for this client (far below the 8 MiB slow-client bound).
      const chunk = 'x'.repeat(256 * 1024);
      let sent = 0;
      let busy: unknown;
      while (busy === undefined && sent < 400) {
        await iii.trigger({
          function_id: 'stream::send',
          payload: { stream_name: 'settle', group_id: 'g', type: 'chunk', data: { n: sent, chunk } },
        });
        sent += 1;
        busy = await h.engine.settle(50).then(
          () => undefined,
          (error: unknown) => error,
        );
      }
      expect(busy).toMatchObject({ code: 'settle_timeout', message: expect.stringMatching(/iii-stream:clients/) });
      expected = 1 + sent;

      tcp.resume();
      await h.engine.settle();
      await received;
      expect(frames.slice(1).map((f) => f.event.event?.data.n)).toEqual(Array.from({ length: sent }, (_, n) => n));
    } finally {
      socket.terminate();
    }
  });
});
