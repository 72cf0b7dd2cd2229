import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * The client sockets (TCP or unix) this process opened while `run` ran, as the remote port each
 * reached (a unix socket: undefined; one that closed before connecting: -1). Node announces every
 * client socket on the `net.client.socket` diagnostics channel, so nothing has to be mocked.
 */
export async function clientSocketsDuring(run: () => Promise<void>): Promise<Array<number | undefined>> {
  const connected: Array<Promise<number | undefined>> = [];
  const record = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    connected.push(new Promise((resolve) => socket.once('connect', () => resolve(socket.remotePort)).once('close', () => resolve(-1))));
  };
  subscribe('net.client.socket', record);
  try {
    await run();
  } finally {
    unsubscribe('net.client.socket', record);
  }
  return Promise.all(connected);
}
