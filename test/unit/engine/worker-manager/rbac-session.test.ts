import type { IncomingMessage } from 'node:http';
import type { EngineCore } from '../../../../src/engine/core/engine-core';
import { EngineError } from '../../../../src/engine/core/errors';
import type { WorkerManagerOptions } from '../../../../src/engine/worker-manager/options';
import { OPEN_SESSION, parseRbacConfig } from '../../../../src/engine/worker-manager/rbac';
import { authenticate, authInput, parseAuthResult } from '../../../../src/engine/worker-manager/session';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function options(rbac: Record<string, unknown> | undefined, handshakeTimeoutMs = 1_000): WorkerManagerOptions {
  return { port: 0, host: '127.0.0.1', handshakeTimeoutMs, ...(rbac !== undefined && { rbac: parseRbacConfig(rbac, quiet) }) };
}

function fakeCore(invoke: (id: string, data: unknown) => Promise<unknown>): EngineCore {
  return { invoke } as unknown as EngineCore;
}

const input = { headers: {}, query_params: {}, ip_address: '127.0.0.1' };

describe('parseAuthResult', () => {
  it('applies the spec defaults to an empty result', () => {
    expect(parseAuthResult({})).toEqual({
      allowedFunctions: [],
      forbiddenFunctions: [],
      allowTriggerTypeRegistration: false,
      allowFunctionRegistration: true,
      context: {},
    });
  });

  it('reads every field', () => {
    expect(
      parseAuthResult({
        allowed_functions: ['a'],
        forbidden_functions: ['b'],
        allowed_trigger_types: ['http'],
        allow_trigger_type_registration: true,
        allow_function_registration: false,
        context: { user: 1 },
        function_registration_prefix: 'p',
      }),
    ).toEqual({
      allowedFunctions: ['a'],
      forbiddenFunctions: ['b'],
      allowedTriggerTypes: ['http'],
      allowTriggerTypeRegistration: true,
      allowFunctionRegistration: false,
      context: { user: 1 },
      functionRegistrationPrefix: 'p',
    });
  });

  it.each([
    [undefined, 'auth function returned no result'],
    [null, 'auth function returned no result'],
    [[1], 'invalid auth result: expected an object'],
    [{ allowed_functions: 'a' }, '`allowed_functions` must be a list of strings'],
    [{ forbidden_functions: [1] }, '`forbidden_functions` must be a list of strings'],
    [{ allow_function_registration: 'yes' }, '`allow_function_registration` must be a boolean'],
    [{ function_registration_prefix: 3 }, '`function_registration_prefix` must be a string'],
  ])('rejects %j with AUTH_ERROR', (result, message) => {
    expect(() => parseAuthResult(result)).toThrow(
      expect.objectContaining({ code: 'AUTH_ERROR', message: expect.stringContaining(message) }),
    );
  });
});

describe('authInput', () => {
  it('collects lower-cased headers, repeated query keys and the client address', () => {
    const request = {
      headers: { 'x-test-token': 't', 'set-cookie': ['a=1', 'b=2'] },
      socket: { remoteAddress: '::ffff:10.0.0.7' },
    } as unknown as IncomingMessage;
    expect(authInput(request, new URL('http://h/?k=1&k=2&__proto__=x'))).toEqual({
      headers: { 'x-test-token': 't', 'set-cookie': 'a=1, b=2' },
      query_params: { k: ['1', '2'], ['__proto__']: ['x'] },
      ip_address: '10.0.0.7',
    });
  });
});

describe('authenticate', () => {
  it('grants the open session without calling anything when there is no auth function', async () => {
    const invoke = jest.fn();
    await expect(authenticate(fakeCore(invoke), options({ expose_functions: [] }), input)).resolves.toBe(OPEN_SESSION);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('calls the auth function with the input and parses its answer', async () => {
    const invoke = jest.fn(async () => ({ allowed_functions: ['x'] }));
    const session = await authenticate(fakeCore(invoke), options({ auth_function_id: 'auth' }), input);
    expect(invoke).toHaveBeenCalledWith('auth', input);
    expect(session.allowedFunctions).toEqual(['x']);
  });

  it('turns a failing auth function into AUTH_ERROR with its message', async () => {
    const core = fakeCore(async () => {
      throw new EngineError('invocation_failed', 'invalid token');
    });
    await expect(authenticate(core, options({ auth_function_id: 'auth' }), input)).rejects.toMatchObject({
      code: 'AUTH_ERROR',
      message: 'invalid token',
    });
  });

  it('gives up on an auth function that does not answer within the handshake timeout', async () => {
    const core = fakeCore(() => new Promise(() => undefined));
    await expect(authenticate(core, options({ auth_function_id: 'auth' }, 30), input)).rejects.toMatchObject({
      code: 'AUTH_ERROR',
      message: 'auth function did not answer within 30ms',
    });
  });
});
