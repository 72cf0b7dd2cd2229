import type { WorkerManagerKernel } from '../core/engine-core';
import { toEngineError } from '../core/errors';
import { isPlainObject } from '../core/ids';
import type { RbacConfig, Session } from './rbac';

/**
 * Registration gating and hooks of engine.md §13.4. Each gate resolves the (possibly rewritten)
 * registration, or `null` when it is denied; a denial is logged and never answered on the wire.
 * Hooks run as engine-internal calls and the connection waits for them (frames stay in order).
 */

export interface FunctionRegistration {
  id: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

export interface TriggerTypeRegistration {
  id: string;
  description: string;
}

export interface TriggerRegistration {
  id: string;
  trigger_type: string;
  function_id: string;
  config: unknown;
  metadata?: unknown;
}

export interface GateScope {
  readonly core: WorkerManagerKernel;
  readonly rbac: RbacConfig | undefined;
  readonly session: Session;
  /** Names the connection in denial logs. */
  readonly workerId: string;
}

/** Calls a hook; a plain-object answer is the verdict, anything else (error, null, array, …) denies. */
async function callHook(
  scope: GateScope,
  hookId: string,
  input: Record<string, unknown>,
  what: string,
): Promise<Record<string, unknown> | null> {
  try {
    const verdict = await scope.core.invoke(hookId, input);
    if (isPlainObject(verdict)) return verdict;
    scope.core.logger.warn(`worker ${scope.workerId}: ${what} denied by ${hookId} (answer was not an object)`);
  } catch (err) {
    scope.core.logger.warn(`worker ${scope.workerId}: ${what} denied by ${hookId}`, { error: toEngineError(err).message });
  }
  return null;
}

function overrideString(verdict: Record<string, unknown>, key: string, current: string): string {
  const value = verdict[key];
  return typeof value === 'string' && value !== '' ? value : current;
}

/** `<prefix>::<id>` when the session has a registration prefix (engine.md §13.4). */
export function withPrefix(session: Session, id: string): string {
  return session.functionRegistrationPrefix === undefined ? id : `${session.functionRegistrationPrefix}::${id}`;
}

/** The hook sees the id the worker sent; the prefix is applied to whatever the hook returns. */
export async function gateFunction(scope: GateScope, request: FunctionRegistration): Promise<FunctionRegistration | null> {
  const { session } = scope;
  if (!session.allowFunctionRegistration) {
    scope.core.logger.warn(`worker ${scope.workerId}: function registration not allowed for this session (${request.id})`);
    return null;
  }
  let granted = request;
  const hookId = scope.rbac?.onFunctionRegistrationFunctionId;
  if (hookId !== undefined) {
    const input = {
      function_id: request.id,
      description: request.description ?? null,
      metadata: request.metadata ?? null,
      context: session.context,
    };
    const verdict = await callHook(scope, hookId, input, `function ${request.id}`);
    if (verdict === null) return null;
    const metadata = Object.hasOwn(verdict, 'metadata') ? verdict.metadata : request.metadata;
    granted = {
      id: overrideString(verdict, 'function_id', request.id),
      ...(typeof verdict.description === 'string'
        ? { description: verdict.description }
        : request.description !== undefined && { description: request.description }),
      ...(isPlainObject(metadata) && { metadata }),
    };
  }
  return { ...granted, id: withPrefix(session, granted.id) };
}

export async function gateTriggerType(scope: GateScope, request: TriggerTypeRegistration): Promise<TriggerTypeRegistration | null> {
  const { session } = scope;
  if (!session.allowTriggerTypeRegistration) {
    scope.core.logger.warn(`worker ${scope.workerId}: trigger type registration not allowed for this session (${request.id})`);
    return null;
  }
  const hookId = scope.rbac?.onTriggerTypeRegistrationFunctionId;
  if (hookId === undefined) return request;
  const input = { trigger_type_id: request.id, description: request.description, context: session.context };
  const verdict = await callHook(scope, hookId, input, `trigger type ${request.id}`);
  if (verdict === null) return null;
  return {
    id: overrideString(verdict, 'trigger_type_id', request.id),
    description: typeof verdict.description === 'string' ? verdict.description : request.description,
  };
}

/** The hook sees the un-prefixed function id; the prefix is applied to the final binding. */
export async function gateTrigger(scope: GateScope, request: TriggerRegistration): Promise<TriggerRegistration | null> {
  const { session } = scope;
  if (session.allowedTriggerTypes !== undefined && !session.allowedTriggerTypes.includes(request.trigger_type)) {
    scope.core.logger.warn(`worker ${scope.workerId}: triggers of type ${request.trigger_type} not allowed for this session`);
    return null;
  }
  let granted = request;
  const hookId = scope.rbac?.onTriggerRegistrationFunctionId;
  if (hookId !== undefined) {
    const input = {
      trigger_id: request.id,
      trigger_type: request.trigger_type,
      function_id: request.function_id,
      config: request.config,
      metadata: request.metadata ?? null,
      context: session.context,
    };
    const verdict = await callHook(scope, hookId, input, `trigger ${request.id}`);
    if (verdict === null) return null;
    granted = {
      ...request,
      id: overrideString(verdict, 'trigger_id', request.id),
      trigger_type: overrideString(verdict, 'trigger_type', request.trigger_type),
      function_id: overrideString(verdict, 'function_id', request.function_id),
      config: Object.hasOwn(verdict, 'config') && verdict.config !== undefined ? verdict.config : request.config,
    };
  }
  return { ...granted, function_id: withPrefix(session, granted.function_id) };
}
