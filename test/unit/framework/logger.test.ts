import { ConsoleLogger, logLevelFromEnv } from '../../../src/framework/logger';

describe('logLevelFromEnv', () => {
  it.each([
    [undefined, 'warn'],
    ['', 'warn'],
    ['nonsense', 'warn'],
    ['INFO', 'info'],
    [' debug ', 'debug'],
    ['trace', 'debug'],
    ['silent', 'silent'],
  ])('III_LOG_LEVEL=%p → %s', (value, level) => {
    expect(logLevelFromEnv(value === undefined ? {} : { III_LOG_LEVEL: value })).toBe(level);
  });
});

describe('ConsoleLogger', () => {
  let out: jest.SpyInstance[];
  beforeEach(() => {
    out = (['log', 'warn', 'error'] as const).map((method) => jest.spyOn(console, method).mockImplementation(() => undefined));
  });
  afterEach(() => out.forEach((spy) => spy.mockRestore()));

  function written(logger: ConsoleLogger): string[][] {
    logger.log('started');
    logger.warn('slow');
    logger.error('broke', 'stack');
    return out.map((spy) => spy.mock.calls.map((call) => String(call[0])));
  }

  it('prints warnings and errors but not progress lines at the default level (warn)', () => {
    expect(written(new ConsoleLogger('app', 'warn'))).toEqual([[], ['[app] slow'], ['[app] broke\nstack']]);
  });

  it('prints progress lines at info', () => {
    expect(written(new ConsoleLogger('app', 'info'))[0]).toEqual(['[app] started']);
  });

  it('prints nothing when silent', () => {
    expect(written(new ConsoleLogger('app', 'silent'))).toEqual([[], [], []]);
  });
});
