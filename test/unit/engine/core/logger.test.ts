import { createLogger, resolveLogLevel } from '../../../../src/engine/core/logger';

describe('engine logger', () => {
  it('takes its level from III_LOG_LEVEL, defaulting to warn (silent under jest)', () => {
    expect(resolveLogLevel({ III_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(resolveLogLevel({ III_LOG_LEVEL: 'TRACE' })).toBe('debug');
    expect(resolveLogLevel({})).toBe('warn');
    expect(resolveLogLevel({ III_LOG_LEVEL: 'bogus' })).toBe('warn');
    expect(resolveLogLevel({ JEST_WORKER_ID: '1' })).toBe('silent');
    expect(resolveLogLevel({ JEST_WORKER_ID: '1', III_LOG_LEVEL: 'info' })).toBe('info');
  });

  it('drops records below its level and prefixes the scope', () => {
    const lines: string[] = [];
    const logger = createLogger({ scope: 'iii-state', level: 'warn', sink: (_level, line) => lines.push(line) });
    logger.info('hidden');
    logger.warn('shown', { key: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN \[iii-state\] shown \{"key":1\}$/);
  });

  it('survives fields that cannot be serialized', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (_level, line) => lines.push(line) });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.error('oops', circular);
    expect(lines[0]).toContain('[unserializable fields]');
  });
});
