import { EngineError } from '../../../../../src/engine/core/errors';
import { INVALID_HTTP_CONFIG, parseHttpConfig } from '../../../../../src/engine/workers/http/config';

function configError(raw: Record<string, unknown>): EngineError {
  try {
    parseHttpConfig(raw);
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('iii-http config', () => {
  it('applies the spec defaults to an empty block', () => {
    expect(parseHttpConfig({})).toEqual({
      port: 3111,
      host: '0.0.0.0',
      defaultTimeoutMs: 30000,
      jsonBodiesOnly: false,
      cors: null,
      concurrencyLimit: 1024,
      middleware: [],
      bodyLimit: 1024 * 1024,
    });
  });

  it('treats a missing block like an empty one', () => {
    expect(parseHttpConfig(undefined).port).toBe(3111);
  });

  it('reads every documented key', () => {
    const config = parseHttpConfig({ port: 3199, host: '127.0.0.1', default_timeout: 5000, concurrency_request_limit: 8, body_limit: 10 });
    expect(config).toMatchObject({ port: 3199, host: '127.0.0.1', defaultTimeoutMs: 5000, concurrencyLimit: 8, bodyLimit: 10 });
  });

  it('refuses unknown keys, naming them', () => {
    const err = configError({ defualt_timeout: 5 });
    expect(err.code).toBe(INVALID_HTTP_CONFIG);
    expect(err.message).toContain("'defualt_timeout'");
  });

  it('refuses unknown keys inside cors', () => {
    expect(configError({ cors: { allowed_origins: [], allow_credentials: true } }).message).toContain("'allow_credentials'");
  });

  it('refuses a port that is not an integer in range', () => {
    expect(configError({ port: 70000 }).message).toContain("'port'");
    expect(configError({ port: '3111' }).message).toContain("'port'");
  });

  it('clamps a zero concurrency limit to one', () => {
    expect(parseHttpConfig({ concurrency_request_limit: 0 }).concurrencyLimit).toBe(1);
  });

  it('sorts global middleware by priority and keeps config order for ties', () => {
    const config = parseHttpConfig({
      middleware: [
        { function_id: 'late', priority: 10 },
        { function_id: 'first', priority: -1 },
        { function_id: 'tie-a' },
        { function_id: 'tie-b', phase: 'preHandler', priority: 0 },
      ],
    });
    expect(config.middleware.map((m) => m.functionId)).toEqual(['first', 'tie-a', 'tie-b', 'late']);
  });

  it('keeps only preHandler middleware', () => {
    const config = parseHttpConfig({ middleware: [{ function_id: 'a', phase: 'onResponse' }, { function_id: 'b' }] });
    expect(config.middleware.map((m) => m.functionId)).toEqual(['b']);
  });

  it('refuses a middleware entry without function_id', () => {
    expect(configError({ middleware: [{ priority: 1 }] }).message).toContain('middleware[0].function_id');
  });

  it('reads "*" or empty cors lists as "any"', () => {
    expect(parseHttpConfig({ cors: { allowed_origins: ['*', 'https://a.example'], allowed_methods: [] } }).cors).toEqual({
      allowedOrigins: null,
      allowedMethods: null,
    });
  });

  it('keeps explicit cors lists, methods upper-cased', () => {
    expect(parseHttpConfig({ cors: { allowed_origins: ['https://a.example'], allowed_methods: ['get', 'POST'] } }).cors).toEqual({
      allowedOrigins: ['https://a.example'],
      allowedMethods: ['GET', 'POST'],
    });
  });
});
