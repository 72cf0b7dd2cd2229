import { Writable } from 'node:stream';
import { WriteCoalescer } from '../../../../src/engine/worker-manager/write-coalescer';

/** A socket stand-in that records how writes reach the "kernel". */
function recordingSocket() {
  const batches: string[][] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      batches.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      batches.push(chunks.map((c) => String(c.chunk)));
      callback();
    },
  });
  return { socket, batches };
}

describe('WriteCoalescer', () => {
  it('flushes the frames written during one tick as a single batch', async () => {
    const { socket, batches } = recordingSocket();
    const writes = new WriteCoalescer(socket as unknown as import('node:stream').Duplex);
    for (const frame of ['a', 'b', 'c']) {
      writes.hold();
      socket.write(frame);
    }
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('does not hold writes past the tick they were made in', async () => {
    const { socket, batches } = recordingSocket();
    const writes = new WriteCoalescer(socket as unknown as import('node:stream').Duplex);
    writes.hold();
    socket.write('first');
    await new Promise((resolve) => setImmediate(resolve));
    writes.hold();
    socket.write('second');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['first'], ['second']]);
  });
});
