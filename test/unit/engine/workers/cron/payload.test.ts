import { rfc3339Utc } from '../../../../../src/engine/workers/cron/payload';

describe('cron payload times', () => {
  it('formats whole seconds without a fraction and with a +00:00 offset', () => {
    expect(rfc3339Utc(Date.parse('2025-01-01T00:00:05.000Z'))).toBe('2025-01-01T00:00:05+00:00');
  });

  it('keeps milliseconds when present', () => {
    expect(rfc3339Utc(Date.parse('2025-01-01T00:00:05.042Z'))).toBe('2025-01-01T00:00:05.042+00:00');
  });
});
