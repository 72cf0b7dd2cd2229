import { DEFAULT_MAX_BUFFERED_BYTES, parseStreamConfig } from '../../../../../src/engine/workers/stream/config';

describe('iii-stream config', () => {
  it('defaults to 0.0.0.0:3112 without auth', () => {
    expect(parseStreamConfig({})).toEqual({
      port: 3112,
      host: '0.0.0.0',
      authFunction: undefined,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
    });
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

  it('refuses a bad port and unsupported adapters with invalid_config', () => {
    expect(() => parseStreamConfig({ port: 70000 })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => parseStreamConfig({ adapter: { name: 'redis' } })).toThrow(/not supported/);
    expect(() => parseStreamConfig({ adapter: { name: 'mystery' } })).toThrow(/unknown adapter/);
  });
});
