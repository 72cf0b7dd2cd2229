import { ChannelRegistry, MAX_CAPACITY } from '../../../../../src/engine/workers/channels/registry';
import { parseBufferSize } from '../../../../../src/engine/workers/channels';

describe('ChannelRegistry', () => {
  it('creates channels with distinct UUID ids and keys', () => {
    const registry = new ChannelRegistry();
    const a = registry.create();
    const b = registry.create();

    expect(a.id).not.toBe(b.id);
    expect(a.key).not.toBe(a.id);
    expect(a.capacity).toBe(64);
    expect(registry.size).toBe(2);
  });

  it('finds a channel only with its own key', () => {
    const registry = new ChannelRegistry();
    const c = registry.create();

    expect(registry.find(c.id, c.key)).toBe(c);
    expect(registry.find(c.id, 'wrong')).toBeUndefined();
    expect(registry.find('missing', c.key)).toBeUndefined();
  });

  it('does not find a channel by an id that only shares its numeric prefix', () => {
    const registry = new ChannelRegistry();
    const c = registry.create();
    const lookalike = `${c.id.slice(0, 9)}${c.id.slice(9).replace(/[0-9a-f]/g, (d) => (d === '0' ? '1' : '0'))}`;

    expect(lookalike).not.toBe(c.id);
    expect(registry.find(lookalike, c.key)).toBeUndefined();
    expect(registry.find(c.id.toUpperCase(), c.key)).toBeUndefined();
    expect(registry.find(c.id, c.key)).toBe(c);
  });

  it('keeps every live channel findable while ids are created and forgotten', () => {
    const registry = new ChannelRegistry();
    const live = Array.from({ length: 50 }, () => registry.create());
    for (let i = 0; i < 25; i++) registry.remove(live[i]!);
    const more = Array.from({ length: 50 }, () => registry.create());

    for (const c of [...live.slice(25), ...more]) expect(registry.find(c.id, c.key)).toBe(c);
    for (const c of live.slice(0, 25)) expect(registry.find(c.id, c.key)).toBeUndefined();
    expect(new Set([...live, ...more].map((c) => c.id)).size).toBe(100);
    expect(registry.size).toBe(75);
  });

  it('keeps every channel findable as the table grows past its first size, and after removals', () => {
    const registry = new ChannelRegistry();
    const channels = Array.from({ length: 700 }, () => registry.create());
    for (let i = 0; i < 700; i += 2) registry.remove(channels[i]!);
    const later = Array.from({ length: 300 }, () => registry.create());

    expect(registry.size).toBe(650);
    for (let i = 1; i < 700; i += 2) expect(registry.find(channels[i]!.id, channels[i]!.key)).toBe(channels[i]);
    for (let i = 0; i < 700; i += 2) expect(registry.find(channels[i]!.id, channels[i]!.key)).toBeUndefined();
    for (const c of later) expect(registry.find(c.id, c.key)).toBe(c);
    expect(new Set([...channels, ...later].map((c) => c.id.slice(0, 8))).size).toBe(1000);
  });

  it('finds nothing for an id that does not start with 8 hex digits', () => {
    const registry = new ChannelRegistry();
    const c = registry.create();

    expect(registry.find(`zz${c.id.slice(2)}`, c.key)).toBeUndefined();
    expect(registry.find('', c.key)).toBeUndefined();
  });

  it('clamps capacity to 1..1024', () => {
    const registry = new ChannelRegistry();

    expect([registry.create(0).capacity, registry.create(5000).capacity]).toEqual([1, MAX_CAPACITY]);
  });

  it('forgets a channel once both its ends are done', () => {
    const registry = new ChannelRegistry();
    const c = registry.create();
    c.endWrite();
    c.endRead();

    expect(registry.find(c.id, c.key)).toBeUndefined();
  });

  it('drops only the channels a worker owned', () => {
    const registry = new ChannelRegistry();
    const owned = registry.create(8, 'worker-1');
    const other = registry.create(8, 'worker-2');
    const free = registry.create(8);

    expect(registry.dropOwnedBy('worker-1')).toBe(1);

    expect(registry.find(owned.id, owned.key)).toBeUndefined();
    expect(registry.find(other.id, other.key)).toBe(other);
    expect(registry.find(free.id, free.key)).toBe(free);
  });

  it('sweeps old channels with an unclaimed end and keeps fully-claimed or young ones', () => {
    const registry = new ChannelRegistry();
    const halfUsed = registry.create();
    halfUsed.claimWriter();
    const busy = registry.create();
    busy.claimWriter();
    busy.claimReader();
    expect(registry.sweep(halfUsed.createdAt + 60_000)).toBe(0);

    const dropped = registry.sweep(halfUsed.createdAt + 5 * 60_000);

    expect(dropped).toBe(1);
    expect(registry.find(halfUsed.id, halfUsed.key)).toBeUndefined();
    expect(registry.find(busy.id, busy.key)).toBe(busy);
  });

  it('destroys every channel on clear', () => {
    const registry = new ChannelRegistry();
    const c = registry.create();
    c.write({ kind: 'text', text: 'x' });

    registry.clear();

    expect(registry.size).toBe(0);
    expect(c.read()).toBeNull();
  });
});

describe('parseBufferSize (engine::channels::create input)', () => {
  it('defaults to 64 for {}, null and an absent buffer_size', () => {
    expect([parseBufferSize({}), parseBufferSize(undefined), parseBufferSize({ buffer_size: null })]).toEqual([64, 64, 64]);
  });

  it('clamps to 1..1024', () => {
    expect([parseBufferSize({ buffer_size: 0 }), parseBufferSize({ buffer_size: 16 }), parseBufferSize({ buffer_size: 99999 })]).toEqual([
      1, 16, 1024,
    ]);
  });

  it.each([['big'], [-1], [1.5], [true]])('refuses buffer_size %p with deserialization_error', (value) => {
    expect(() => parseBufferSize({ buffer_size: value })).toThrow(expect.objectContaining({ code: 'deserialization_error' }));
  });

  it('refuses a non-object input', () => {
    expect(() => parseBufferSize([1])).toThrow(expect.objectContaining({ code: 'deserialization_error' }));
  });

  it('ignores a __proto__ key and the injected caller id', () => {
    expect(parseBufferSize(JSON.parse('{"__proto__":{"buffer_size":3},"_caller_worker_id":"w"}'))).toBe(64);
  });
});
