import { forwardPayload } from '../../../../../src/engine/adapters/bridge/payload';

describe('forwardPayload', () => {
  it('drops the local _caller_worker_id and keeps every other key', () => {
    expect(forwardPayload({ scope: 's', key: 'k', value: 1, _caller_worker_id: 'local-worker' })).toEqual({
      scope: 's',
      key: 'k',
      value: 1,
    });
  });

  it('passes payloads without the key, and non-objects, through as they are', () => {
    const payload = { scope: 's' };
    expect(forwardPayload(payload)).toBe(payload);
    expect(forwardPayload([1, 2])).toEqual([1, 2]);
    expect(forwardPayload(null)).toBeNull();
    expect(forwardPayload('text')).toBe('text');
  });

  it('keeps a JSON __proto__ key as a plain key without touching any prototype', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"_caller_worker_id":"w","scope":"s"}') as unknown;
    const forwarded = forwardPayload(payload) as Record<string, unknown>;
    expect(JSON.stringify(forwarded)).toBe('{"__proto__":{"polluted":true},"scope":"s"}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
