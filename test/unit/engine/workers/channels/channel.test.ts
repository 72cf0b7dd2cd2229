import { Channel, type ChannelItem } from '../../../../../src/engine/workers/channels/channel';

const text = (value: string): ChannelItem => ({ kind: 'text', text: value });
const bin = (...bytes: number[]): ChannelItem => ({ kind: 'binary', data: Buffer.from(bytes) });

function channel(capacity = 4): Channel {
  return new Channel({ id: 'c', key: 'k', capacity });
}

describe('Channel', () => {
  it('hands items to the reader in write order', () => {
    const c = channel();
    c.write(text('a'));
    c.write(bin(1, 2));
    c.write(text('b'));

    expect([c.read(), c.read(), c.read()]).toEqual([text('a'), bin(1, 2), text('b')]);
  });

  it('reports nothing yet (undefined) while the writer is open and end-of-stream (null) after it ends', () => {
    const c = channel();
    c.write(text('a'));
    expect(c.read()).toEqual(text('a'));
    expect(c.read()).toBeUndefined();

    c.endWrite();

    expect(c.read()).toBeNull();
  });

  it('delivers buffered items before end-of-stream', () => {
    const c = channel();
    c.write(text('a'));
    c.endWrite();

    expect([c.read(), c.read()]).toEqual([text('a'), null]);
  });

  it('lets each end be claimed once', () => {
    const c = channel();

    expect([c.claimWriter(), c.claimWriter(), c.claimReader(), c.claimReader()]).toEqual([true, false, true, false]);
  });

  it('wakes the reader when an item arrives and when the writer ends', () => {
    const c = channel();
    const wake = jest.fn();
    c.claimReader(wake);

    c.write(text('a'));
    c.endWrite();

    expect(wake).toHaveBeenCalledTimes(2);
  });

  it('is full at capacity and wakes the writer once space frees up', () => {
    const c = channel(2);
    const wake = jest.fn();
    c.claimWriter(wake);
    c.write(text('a'));
    c.write(text('b'));
    expect(c.full).toBe(true);

    c.read();

    expect(c.full).toBe(false);
    expect(wake).toHaveBeenCalledTimes(1);
  });

  it('drops queued and later items once the reader is gone, and tells the writer', () => {
    const c = channel();
    const wake = jest.fn();
    c.claimWriter(wake);
    c.write(text('a'));

    c.endRead();

    expect(wake).toHaveBeenCalledTimes(1);
    expect(c.readerGone).toBe(true);
    expect(c.size).toBe(0);
    expect(c.write(text('b'))).toBe(false);
  });

  it('refuses writes after the writer ended', () => {
    const c = channel();
    c.endWrite();

    expect(c.write(text('late'))).toBe(false);
  });

  it('reports finished once both ends are done, exactly once', () => {
    const c = channel();
    const finished = jest.fn();
    c.onFinished = finished;
    c.endWrite();
    expect(finished).not.toHaveBeenCalled();

    c.endRead();
    c.destroy();

    expect(finished).toHaveBeenCalledTimes(1);
  });

  it('on destroy gives the reader end-of-stream and the writer a gone reader', () => {
    const c = channel();
    let readerSaw: ChannelItem | null | undefined;
    let writerSawGone = false;
    c.claimReader(() => (readerSaw = c.read()));
    c.claimWriter(() => (writerSawGone = c.readerGone));
    c.write(text('dropped'));
    readerSaw = undefined;

    c.destroy();

    expect(readerSaw).toBeNull();
    expect(writerSawGone).toBe(true);
  });

  it('keeps order across a long stream that compacts its queue', () => {
    const c = channel(5000);
    const seen: string[] = [];
    for (let i = 0; i < 3000; i++) {
      c.write(text(String(i)));
      if (i % 3 === 0) seen.push((c.read() as { text: string }).text);
    }
    for (let item = c.read(); item; item = c.read()) seen.push((item as { text: string }).text);

    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => String(i)));
  });

  it('builds refs sharing id and key', () => {
    expect(channel().ref('read')).toEqual({ channel_id: 'c', access_key: 'k', direction: 'read' });
  });
});
