import { EngineError } from '../../../../../src/engine/core/errors';
import type { EngineLogger } from '../../../../../src/engine/core/types';
import { BRIDGE_UNAVAILABLE, BridgeClient, type BridgeAdapterConfig } from '../../../../../src/engine/adapters/bridge';
import { fakeFactory, type FakeSdk } from './fake-sdk';

const quiet: EngineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const URL = 'ws://remote.test:49198';

function setup(config: Partial<BridgeAdapterConfig> = {}): { client: BridgeClient; sdk: FakeSdk } {
  const factory = fakeFactory();
  const client = new BridgeClient({
    config: { url: URL, callTimeoutMs: 1_000, connectWaitMs: 100, ...config },
    owner: 'iii-state',
    logger: quiet,
    connect: factory.connect,
  });
  return { client, sdk: factory.sdk() };
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EngineError)) throw new Error(`expected an EngineError, got ${String(err)}`);
  return err;
}

describe('BridgeClient', () => {
  it('connects as an iii-sdk worker with OTel off and reconnection that never gives up', async () => {
    const { client, sdk } = setup();
    expect(sdk.url).toBe(URL);
    expect(sdk.options.otel).toEqual({ enabled: false });
    expect(sdk.options.enableMetricsReporting).toBe(false);
    expect(sdk.options.reconnectionConfig?.maxRetries).toBe(-1);
    expect(sdk.options.workerName).toMatch(/^iii-state bridge /);
    await client.close();
  });

  it('resolves the remote result unchanged, an absent result staying undefined', async () => {
    const { client, sdk } = setup();
    sdk.answer('state::get', () => undefined);
    sdk.answer('state::set', (payload) => ({ old_value: null, new_value: (payload as { value: unknown }).value }));
    await expect(client.call('state::get', { scope: 's', key: 'k' })).resolves.toBeUndefined();
    await expect(client.call('state::set', { scope: 's', key: 'k', value: [1] })).resolves.toEqual({ old_value: null, new_value: [1] });
    expect(sdk.calls.map((c) => c.function_id)).toEqual(['state::get', 'state::set']);
    expect(sdk.calls[0]?.timeoutMs).toBe(1_000);
    await client.close();
  });

  it('rejects with the remote error code and message, without the SDK prefix', async () => {
    const { client, sdk } = setup();
    sdk.fail('state::set', 'deserialization_error', 'Failed to deserialize input for state::set: missing field `key`');
    const err = await rejection(client.call('state::set', {}));
    expect(err.code).toBe('deserialization_error');
    expect(err.message).toBe('Failed to deserialize input for state::set: missing field `key`');
    await client.close();
  });

  it('turns the SDK call timeout into BRIDGE_UNAVAILABLE', async () => {
    const { client, sdk } = setup();
    sdk.fail('state::get', 'TIMEOUT', 'invocation timed out after 1000ms');
    const err = await rejection(client.call('state::get', {}));
    expect(err.code).toBe(BRIDGE_UNAVAILABLE);
    expect(err.message).toContain(URL);
    await client.close();
  });

  it('fails a call with BRIDGE_UNAVAILABLE after waiting connect_wait_ms for a connection', async () => {
    const { client, sdk } = setup({ connectWaitMs: 50 });
    sdk.connectionState = 'reconnecting';
    const started = Date.now();
    const err = await rejection(client.call('state::get', {}));
    expect(err.code).toBe(BRIDGE_UNAVAILABLE);
    expect(err.message).toContain('reconnecting');
    expect(err.message).toContain('state::get');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(sdk.calls).toHaveLength(0);
    await client.close();
  });

  it('sends a call made while connecting as soon as the connection is up', async () => {
    const { client, sdk } = setup({ connectWaitMs: 2_000 });
    sdk.connectionState = 'connecting';
    sdk.answer('state::get', () => 'value');
    const pending = client.call('state::get', {});
    sdk.connectionState = 'connected';
    await expect(pending).resolves.toBe('value');
    await client.close();
  });

  it('fails an in-flight call at once when the connection drops', async () => {
    const { client, sdk } = setup({ callTimeoutMs: 30_000 });
    sdk.answer('state::set', () => new Promise(() => undefined));
    const pending = client.call('state::set', {});
    await new Promise((resolve) => setImmediate(resolve));
    sdk.connectionState = 'reconnecting';
    const err = await rejection(pending);
    expect(err.code).toBe(BRIDGE_UNAVAILABLE);
    expect(err.message).toContain('lost');
    await client.close();
  });

  it('close() shuts the SDK down once, fails waiting calls and refuses new ones', async () => {
    const { client, sdk } = setup({ connectWaitMs: 10_000 });
    sdk.connectionState = 'connecting';
    const waiting = client.call('state::get', {});
    await Promise.all([client.close(), client.close()]);
    expect(sdk.shutdowns).toBe(1);
    expect((await rejection(waiting)).code).toBe(BRIDGE_UNAVAILABLE);
    expect((await rejection(client.call('state::get', {}))).code).toBe(BRIDGE_UNAVAILABLE);
  });
});
