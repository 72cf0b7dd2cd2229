import type { ErrorBody } from '../../protocol/errors';
import type { InboundFrameOf, OutboundFrame, OutboundFrameOf } from '../../protocol/frames';
import { EngineError, toEngineError } from '../core/errors';
import type { RoutedInvocationOptions, WorkerManagerKernel } from '../core/engine-core';
import { isPlainObject, newId } from '../core/ids';
import type { WorkerManagerOptions } from './options';
import { decideAccess, forbiddenMessage, type Session } from './rbac';

type InvokeFrame = InboundFrameOf<'invokefunction'>;
type ResultFrame = InboundFrameOf<'invocationresult'>;

/** What the router needs from the connection that sent the frame. */
export interface CallerConnection {
  readonly id: string;
  send(frame: OutboundFrame): boolean;
  isOpen(): boolean;
  /** The options of the listener it came through (RBAC and middleware, engine.md §13). */
  readonly listener: WorkerManagerOptions;
  readonly session: Session;
}

export const ENQUEUE_FUNCTION_ID = 'engine::queue::enqueue';

const NO_QUEUE_PROVIDER =
  'No queue provider is installed. `TriggerAction::Enqueue` routes through the `engine::queue::enqueue` provider, ' +
  'which the standalone queue worker registers. Add it with `iii worker add queue`.';

/** `invocationresult` frame: `result`/`error` keys only when present (absent ≠ null, engine.md §3.9). */
export function resultFrame(
  invocationId: string,
  functionId: string,
  outcome: { result?: unknown; error?: ErrorBody },
): OutboundFrameOf<'invocationresult'> {
  const frame: OutboundFrameOf<'invocationresult'> = { type: 'invocationresult', invocation_id: invocationId, function_id: functionId };
  if (outcome.error !== undefined) frame.error = outcome.error;
  else if (outcome.result !== undefined) frame.result = outcome.result;
  return frame;
}

/** Sends a reply; a result that cannot be encoded (BigInt, absurd depth) becomes an error reply. */
function reply(caller: CallerConnection, invocationId: string, functionId: string, outcome: { result?: unknown; error?: ErrorBody }): void {
  if (caller.send(resultFrame(invocationId, functionId, outcome)) || !caller.isOpen()) return;
  const error = new EngineError('invocation_error', 'The result could not be encoded as JSON');
  caller.send(resultFrame(invocationId, functionId, { error: error.toBody() }));
}

/** The call context a frame carries on to the function it invokes (only the keys it sent), added to `into`. */
function forwarded(frame: InvokeFrame, into: RoutedInvocationOptions = {}): RoutedInvocationOptions {
  if (frame.metadata !== undefined) into.metadata = frame.metadata;
  if (frame.traceparent !== undefined) into.traceparent = frame.traceparent;
  if (frame.baggage !== undefined) into.baggage = frame.baggage;
  return into;
}

/**
 * Routes a worker's `invokefunction` (engine.md §4.1): enqueue through the queue provider, void
 * without reply, otherwise one `invocationresult` when the caller gave an `invocation_id`.
 * Runs concurrently with the connection's other frames.
 */
export async function routeInvocation(core: WorkerManagerKernel, caller: CallerConnection, frame: InvokeFrame): Promise<void> {
  if (!admit(core, caller, frame)) return;
  const middlewareId = caller.listener.middlewareFunctionId;
  if (middlewareId !== undefined && !frame.function_id.startsWith('engine::')) {
    return viaMiddleware(core, caller, frame, middlewareId);
  }
  if (frame.action?.type === 'enqueue') return enqueue(core, caller, frame, frame.action.queue);
  const replyTo = frame.action?.type === 'void' ? undefined : frame.invocation_id;
  // engine.md §4.2: object payloads of worker-originated calls learn who called. The payload was
  // parsed from this frame's text and nothing else holds it, so it gains the key in place (no copy).
  const data = frame.data;
  if (isPlainObject(data)) data._caller_worker_id = caller.id;
  // The result goes straight into the reply frame: a stored value may come as its JSON text.
  const options = forwarded(frame, { callerWorkerId: caller.id, invocationId: replyTo, acceptsJsonText: replyTo !== undefined });
  try {
    const result = await core.invoke(frame.function_id, data, options);
    if (replyTo !== undefined) reply(caller, replyTo, frame.function_id, { result });
  } catch (err) {
    const error = toEngineError(err, 'invocation_failed');
    if (replyTo !== undefined) reply(caller, replyTo, frame.function_id, { error: error.toBody() });
    else core.logger.debug(`void call to ${frame.function_id} failed`, { code: error.code, error: error.message });
  }
}

/** engine.md §13.2: a denied call is answered at once with `FORBIDDEN` (a random id when the caller gave none). */
function admit(core: WorkerManagerKernel, caller: CallerConnection, frame: InvokeFrame): boolean {
  const rbac = caller.listener.rbac;
  if (rbac === undefined) return true;
  const decision = decideAccess(rbac, caller.session, frame.function_id, core.registry.functions.get(frame.function_id)?.metadata);
  if (decision === 'allowed') return true;
  const error = new EngineError('FORBIDDEN', forbiddenMessage(frame.function_id, decision));
  reply(caller, frame.invocation_id ?? newId(), frame.function_id, { error: error.toBody() });
  return false;
}

/**
 * engine.md §13.3: the middleware runs instead of the target and its outcome is the caller's answer,
 * whatever the action (void and enqueue callers get a result under a random id). It receives the
 * payload as sent (no `_caller_worker_id`) and the session context.
 */
async function viaMiddleware(core: WorkerManagerKernel, caller: CallerConnection, frame: InvokeFrame, middlewareId: string): Promise<void> {
  const input = {
    function_id: frame.function_id,
    payload: frame.data,
    action: frame.action ?? null,
    context: caller.session.context,
  };
  const replyTo = frame.invocation_id ?? newId();
  try {
    const result = await core.invoke(middlewareId, input, forwarded(frame));
    reply(caller, replyTo, frame.function_id, { result });
  } catch (err) {
    reply(caller, replyTo, frame.function_id, { error: toEngineError(err, 'invocation_failed').toBody() });
  }
}

async function enqueue(core: WorkerManagerKernel, caller: CallerConnection, frame: InvokeFrame, queue: string): Promise<void> {
  const messageReceiptId = newId();
  const request = {
    queue,
    function_id: frame.function_id,
    data: frame.data,
    messageReceiptId,
    traceparent: frame.traceparent ?? null,
    baggage: frame.baggage ?? null,
  };
  let outcome: { result?: unknown; error?: ErrorBody };
  try {
    await core.invoke(ENQUEUE_FUNCTION_ID, request, { callerWorkerId: caller.id });
    outcome = { result: { messageReceiptId } };
  } catch (err) {
    const error = toEngineError(err);
    const message =
      error.code === 'function_not_found' && !core.registry.functions.has(ENQUEUE_FUNCTION_ID)
        ? `${NO_QUEUE_PROVIDER} (underlying: ${error.message})`
        : error.message;
    outcome = { error: new EngineError('enqueue_error', message).toBody() };
  }
  if (frame.invocation_id !== undefined) reply(caller, frame.invocation_id, frame.function_id, outcome);
}

/** Reads a worker's error body; anything that is not `{code, message}` becomes code `UNKNOWN`. */
function toError(value: unknown): EngineError {
  if (isPlainObject(value) && typeof value.code === 'string' && typeof value.message === 'string') {
    return EngineError.passThrough(value.code, value.message, typeof value.stacktrace === 'string' ? value.stacktrace : undefined);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return new EngineError('UNKNOWN', text);
}

/** Settles the pending invocation a worker answered; late or spoofed results are dropped. */
export function acceptResult(core: WorkerManagerKernel, from: CallerConnection, frame: ResultFrame): void {
  const outcome = frame.error !== undefined ? { error: toError(frame.error) } : { result: frame.hasResult ? frame.result : undefined };
  if (!core.invocations.settle(frame.invocation_id, from.id, outcome)) {
    core.logger.debug(`dropped result for unknown invocation ${frame.invocation_id}`);
  }
}
