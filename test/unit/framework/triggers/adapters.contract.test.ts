/**
 * One contract, every trigger adapter: the shape the explorer and registrar rely on.
 */
import { silentLogger } from '../../../../src/framework/logger';
import type { TriggerMeta } from '../../../../src/framework/metadata/types';
import { adapterFor } from '../../../../src/framework/triggers/registry';

const metas: TriggerMeta[] = [
  { kind: 'http', method: 'm', httpMethod: 'GET', path: 'x' },
  { kind: 'state', method: 'm', scope: 's' },
  { kind: 'stream', method: 'm', streamName: 's' },
  { kind: 'stream:join', method: 'm' },
  { kind: 'stream:leave', method: 'm' },
  { kind: 'cron', method: 'm', expression: '* * * * * *' },
  { kind: 'subscribe', method: 'm', topic: 't' },
  { kind: 'queue', method: 'm' },
  { kind: 'fn', method: 'm' },
];

describe.each(metas.map((meta) => [meta.kind, meta] as const))('trigger adapter %s', (kind, meta) => {
  const adapter = adapterFor(meta);

  it('is registered under its own kind', () => {
    expect(adapter.kind).toBe(kind);
  });

  it('has a config exactly when it has a trigger type', () => {
    const config = adapter.config(meta, 'prefix');
    if (adapter.triggerType === null) expect(config).toBeNull();
    else expect(config).toEqual(expect.any(Object));
  });

  it('gives @Event() the raw payload', () => {
    const payload = { a: 1 };
    expect(adapter.argument({ index: 0, kind: 'event' })?.(payload)).toBe(payload);
  });

  it('handles every payload or offers a filter function', () => {
    const filter = adapter.filter(meta);
    expect(filter === null || typeof filter === 'function').toBe(true);
  });

  it('turns a result into a reply without throwing', () => {
    expect(() => adapter.reply(meta)({ ok: true })).not.toThrow();
    expect(() => adapter.reply(meta)(undefined)).not.toThrow();
  });

  it('turns an error into a reply or rethrows that same error', () => {
    const error = new Error('boom');
    let outcome: unknown;
    try {
      outcome = adapter.fail(meta, 'x::m', silentLogger)(error);
    } catch (thrown) {
      outcome = thrown;
    }
    expect(outcome === error || (outcome !== null && typeof outcome === 'object')).toBe(true);
  });
});
