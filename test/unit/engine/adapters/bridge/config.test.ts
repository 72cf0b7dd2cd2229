import { EngineError } from '../../../../../src/engine/core/errors';
import { readBridgeAdapterConfig } from '../../../../../src/engine/adapters/bridge';
import { parseStateConfig } from '../../../../../src/engine/workers/state/config';
import { parseStreamConfig } from '../../../../../src/engine/workers/stream/config';

const invalid = (reason: string): EngineError => new EngineError('config_invalid', reason);

describe('bridge adapter config', () => {
  it('reads bridge_url and defaults the timeouts', () => {
    expect(readBridgeAdapterConfig({ bridge_url: 'ws://localhost:49198' }, invalid)).toEqual({
      url: 'ws://localhost:49198',
      callTimeoutMs: 30_000,
      connectWaitMs: 3_000,
    });
  });

  it('defaults bridge_url to ws://localhost:49134 like the reference engine', () => {
    expect(readBridgeAdapterConfig(undefined, invalid).url).toBe('ws://localhost:49134');
  });

  it('accepts numeric strings for the timeouts (they come from ${VAR:default})', () => {
    const config = readBridgeAdapterConfig({ bridge_url: 'wss://x', call_timeout_ms: '500', connect_wait_ms: 0 }, invalid);
    expect(config).toMatchObject({ callTimeoutMs: 500, connectWaitMs: 0 });
  });

  it.each([
    [{ bridge_url: 'http://localhost:1' }, /ws:\/\/ or wss:\/\//],
    [{ bridge_url: 'not a url' }, /not a valid URL/],
    [{ bridge_url: 42 }, /non-empty string/],
    [{ bridge_url: 'ws://x', call_timeout_ms: -1 }, /call_timeout_ms/],
    [{ bridge_url: 'ws://x', redis_url: 'redis://x' }, /unknown bridge adapter option `redis_url`/],
    ['ws://x', /must be a mapping/],
  ])('refuses %j with a config error', (raw, message) => {
    expect(() => readBridgeAdapterConfig(raw, invalid)).toThrow(message);
  });

  it('is what iii-state and iii-stream read for adapter bridge (the SDK fixture block)', () => {
    const adapter = { name: 'bridge', config: { bridge_url: 'ws://localhost:49198' } };
    expect(parseStateConfig({ adapter }).bridge?.url).toBe('ws://localhost:49198');
    expect(parseStreamConfig({ port: 3114, host: '0.0.0.0', adapter }).bridge?.url).toBe('ws://localhost:49198');
    expect(parseStateConfig({ adapter: { name: 'kv' } }).bridge).toBeUndefined();
    expect(parseStreamConfig({ adapter: { name: 'kv' } }).bridge).toBeUndefined();
  });

  it('reports a bad bridge block with each worker’s own error code', () => {
    const adapter = { name: 'bridge', config: { bridge_url: 'http://x' } };
    expect(() => parseStateConfig({ adapter })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => parseStreamConfig({ adapter })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
