import { DEFAULT_EVENT_LOG, DEFAULT_MAX_BUFFERED_BYTES, parseStreamConfig } from '../../../../../src/engine/workers/stream/config';
import { DEFAULT_STREAM_LIMITS } from '../../../../../src/engine/workers/stream/limits';

describe('iii-stream config', () => {
  it('defaults to 0.0.0.0:3112 without auth', () => {
    expect(parseStreamConfig({})).toEqual({
      port: 3112,
      host: '0.0.0.0',
      authFunction: undefined,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
      bridge: undefined,
      eventLog: DEFAULT_EVENT_LOG,
      limits: DEFAULT_STREAM_LIMITS,
    });
  });

  it('reads the client limits, keeping defaults for absent keys, and refuses bad values', () => {
    const limits = parseStreamConfig({
      limits: { subscriptions_per_connection: '5', frames_per_second: 20, unlimited_addresses: ['::ffff:10.0.0.1'] },
    }).limits;
    expect(limits).toEqual({
      ...DEFAULT_STREAM_LIMITS,
      subscriptionsPerConnection: 5,
      framesPerSecond: 20,
      unlimitedAddresses: ['10.0.0.1'],
    });
    expect(DEFAULT_STREAM_LIMITS.subscriptionsPerConnection).toBe(100);
    expect(() => parseStreamConfig({ limits: { connections: 0 } })).toThrow(/limits.connections/);
    expect(() => parseStreamConfig({ limits: { guard_timeout_ms: 1.5 } })).toThrow(/limits.guard_timeout_ms/);
    expect(() => parseStreamConfig({ limits: { subscriptions: 1 } })).toThrow(/unknown field `limits.subscriptions`/);
    expect(() => parseStreamConfig({ limits: { unlimited_addresses: '127.0.0.1' } })).toThrow(/unlimited_addresses/);
    expect(() => parseStreamConfig({ limits: [] })).toThrow(/`limits` must be a map/);
  });

  it('reads the event log retention and refuses bad values', () => {
    expect(parseStreamConfig({ event_log: { max_events: '0', max_age_seconds: 60 } }).eventLog).toEqual({ maxEvents: 0, maxAgeMs: 60_000 });
    expect(parseStreamConfig({ event_log: { max_events: 5 } }).eventLog).toEqual({ ...DEFAULT_EVENT_LOG, maxEvents: 5 });
    expect(() => parseStreamConfig({ event_log: { max_events: -1 } })).toThrow(/event_log.max_events/);
    expect(() => parseStreamConfig({ event_log: { max_age_seconds: 0 } })).toThrow(/event_log.max_age_seconds/);
    expect(() => parseStreamConfig({ event_log: { keep: 1 } })).toThrow(/unknown field `event_log.keep`/);
    expect(() => parseStreamConfig({ event_log: 5 })).toThrow(/`event_log` must be a map/);
  });

  it('accepts the SDK fixture block (kv adapter with options, numeric string port)', () => {
    const config = parseStreamConfig({
      port: '3199',
      host: '127.0.0.1',
      auth_function: 'auth::fn',
      adapter: { name: 'kv', config: { store_method: 'file_based', file_path: './data/stream_store' } },
    });
    expect(config).toMatchObject({ port: 3199, host: '127.0.0.1', authFunction: 'auth::fn' });
  });

  it('refuses unknown fields naming them', () => {
    expect(() => parseStreamConfig({ prot: 1 })).toThrow(/unknown field `prot`/);
  });

  it('refuses a bad port and unsupported adapters with config_invalid', () => {
    expect(() => parseStreamConfig({ port: 70000 })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => parseStreamConfig({ adapter: { name: 'redis' } })).toThrow(/not supported/);
    expect(() => parseStreamConfig({ adapter: { name: 'mystery' } })).toThrow(/unknown adapter/);
  });
});
