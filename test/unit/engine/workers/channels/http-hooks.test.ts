import { Channel } from '../../../../../src/engine/workers/channels/channel';
import { createHttpChannelHooks, feedBody } from '../../../../../src/engine/workers/channels/http-hooks';
import { ChannelRegistry } from '../../../../../src/engine/workers/channels/registry';
import { createLogger } from '../../../../../src/engine/core/logger';

function drainAll(channel: Channel): Buffer {
  const parts: Buffer[] = [];
  for (let item = channel.read(); item !== null; item = channel.read()) {
    if (item === undefined) throw new Error('stalled');
    if (item.kind === 'binary') parts.push(item.data);
  }
  return Buffer.concat(parts);
}

describe('feedBody', () => {
  it('writes a body larger than the queue in 64 KiB frames as the reader makes room, then ends', () => {
    const channel = new Channel({ id: 'c', key: 'k', capacity: 2 });
    const body = Buffer.alloc(300 * 1024, 7);

    feedBody(channel, body);
    expect(channel.size).toBe(2);

    expect(drainAll(channel).equals(body)).toBe(true);
  });

  it('ends at once for an empty body', () => {
    const channel = new Channel({ id: 'c', key: 'k', capacity: 2 });

    feedBody(channel, Buffer.alloc(0));

    expect(channel.read()).toBeNull();
  });

  it('stops writing when the reader goes away', () => {
    const channel = new Channel({ id: 'c', key: 'k', capacity: 1 });
    feedBody(channel, Buffer.alloc(200 * 1024));

    channel.endRead();

    expect(channel.size).toBe(0);
    expect(channel.write({ kind: 'text', text: 'x' })).toBe(false);
  });
});

describe('createHttpChannelHooks', () => {
  it('opens a read ref for the body and a write ref for the response, and forgets both on close', async () => {
    const registry = new ChannelRegistry();
    const hooks = createHttpChannelHooks(registry, createLogger({ scope: 'test' }));

    const opened = await hooks.open(Buffer.from('raw'));

    expect(opened.refs.request_body.direction).toBe('read');
    expect(opened.refs.response.direction).toBe('write');
    const body = registry.find(opened.refs.request_body.channel_id, opened.refs.request_body.access_key)!;
    expect(drainAll(body).toString()).toBe('raw');
    opened.close();
    expect(registry.size).toBe(0);
  });
});
