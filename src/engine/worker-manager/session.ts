import type { WorkerManagerKernel } from '../core/engine-core';
import { EngineError, toEngineError } from '../core/errors';
import { isPlainObject } from '../core/ids';
import { withDeadline } from '../lib/deadline';
import type { HandshakeRequest } from '../security/handshake';
import { OPEN_SESSION, type Session } from './rbac';
import type { WorkerManagerOptions } from './options';

/** What the auth function receives (engine.md §13.1 `AuthInput`). */
export interface AuthInput {
  headers: Record<string, string>;
  query_params: Record<string, string[]>;
  ip_address: string;
}

export function remoteAddress(request: HandshakeRequest): string | null {
  const address = request.socket.remoteAddress;
  if (address === undefined) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Header names lower-cased (Node already does), repeated headers joined as HTTP allows. */
export function authInput(request: HandshakeRequest, url: URL): AuthInput {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);
  return { headers: { ...headers }, query_params: { ...query }, ip_address: remoteAddress(request) ?? '' };
}

function authError(message: string): EngineError {
  return new EngineError('AUTH_ERROR', message);
}

function stringList(result: Record<string, unknown>, key: string): string[] | undefined {
  const value = result[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw authError(`invalid auth result: \`${key}\` must be a list of strings`);
  }
  return value;
}

function flag(result: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = result[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw authError(`invalid auth result: \`${key}\` must be a boolean`);
  return value;
}

/** Reads an `AuthResult` with the defaults of engine.md §13.1; a malformed one rejects the connection. */
export function parseAuthResult(result: unknown): Session {
  if (result === undefined || result === null) throw authError('auth function returned no result');
  if (!isPlainObject(result)) throw authError('invalid auth result: expected an object');
  const prefix = result.function_registration_prefix;
  if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') {
    throw authError('invalid auth result: `function_registration_prefix` must be a string');
  }
  const allowedTriggerTypes = stringList(result, 'allowed_trigger_types');
  return {
    allowedFunctions: stringList(result, 'allowed_functions') ?? [],
    forbiddenFunctions: stringList(result, 'forbidden_functions') ?? [],
    ...(allowedTriggerTypes !== undefined && { allowedTriggerTypes }),
    allowTriggerTypeRegistration: flag(result, 'allow_trigger_type_registration', false),
    allowFunctionRegistration: flag(result, 'allow_function_registration', true),
    context: result.context === undefined || result.context === null ? {} : result.context,
    ...(typeof prefix === 'string' && prefix !== '' && { functionRegistrationPrefix: prefix }),
  };
}

/**
 * Runs the listener's auth function for one upgrade request (engine.md §13.1). Resolves the session;
 * rejects with `AUTH_ERROR` when the function fails, returns nothing usable, or does not answer
 * within the handshake timeout (the SDK gives up on the upgrade by then anyway).
 */
export async function authenticate(core: WorkerManagerKernel, options: WorkerManagerOptions, input: AuthInput): Promise<Session> {
  const functionId = options.rbac?.authFunctionId;
  if (functionId === undefined) return OPEN_SESSION;
  try {
    const result = await withDeadline(core.invoke(functionId, input), options.handshakeTimeoutMs, () => {
      throw authError(`auth function did not answer within ${options.handshakeTimeoutMs}ms`);
    });
    return parseAuthResult(result);
  } catch (err) {
    const error = toEngineError(err);
    throw error.code === 'AUTH_ERROR' ? error : authError(error.message);
  }
}
