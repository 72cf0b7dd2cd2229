/**
 * The worker protocol's frames (engine.md §3): what a worker sends (`InboundFrame`, parsed and
 * validated by `parseFrame`) and what the engine sends back (`OutboundFrame`, encoded as JSON).
 */
import type { ErrorBody } from './errors';
import { isPlainObject, isUuid } from './json';

/**
 * Inbound worker-protocol frames (engine.md §3), validated. Unknown extra keys (the SDK's
 * `message_type`) are ignored; a frame that fails validation is dropped by the caller.
 * Lenient defaults where the real engine would drop (engine.md §14): `description` ⇒ "",
 * `config` ⇒ null, `data` ⇒ null.
 */
export type InboundFrame =
  | {
      type: 'registerfunction';
      id: string;
      description?: string;
      request_format?: unknown;
      response_format?: unknown;
      metadata?: Record<string, unknown>;
      invocation?: Record<string, unknown>;
    }
  | { type: 'unregisterfunction'; id: string }
  | { type: 'registertriggertype'; id: string; description: string; trigger_request_format?: unknown; call_request_format?: unknown }
  | { type: 'unregistertriggertype'; id: string }
  | { type: 'registertrigger'; id: string; trigger_type: string; function_id: string; config: unknown; metadata?: unknown }
  | { type: 'triggerregistrationresult'; id: string; trigger_type?: string; function_id?: string; error?: unknown }
  | { type: 'unregistertrigger'; id: string; trigger_type?: string }
  | {
      type: 'invokefunction';
      invocation_id?: string;
      function_id: string;
      data: unknown;
      traceparent?: string;
      baggage?: string;
      action?: InvokeAction;
      metadata?: unknown;
    }
  | { type: 'invocationresult'; invocation_id: string; function_id: string; hasResult: boolean; result?: unknown; error?: unknown }
  | { type: 'reattach'; previous_worker_id: string; reattach_token?: string }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'registerservice'; id: string }
  | { type: 'workerregistered' };

export type InvokeAction = { type: 'void' } | { type: 'enqueue'; queue: string };

/** One inbound frame of the given type. */
export type InboundFrameOf<T extends InboundFrame['type']> = Extract<InboundFrame, { type: T }>;

/**
 * Frames the engine sends to a worker. Optional keys are left out rather than sent as null:
 * `invocationresult` carries `result` or `error` only when present (absent ≠ null).
 */
export type OutboundFrame =
  | { type: 'workerregistered'; worker_id: string; reattach_token: string }
  | { type: 'pong' }
  | {
      type: 'invokefunction';
      invocation_id: string;
      function_id: string;
      data: unknown;
      traceparent?: string;
      baggage?: string;
      metadata?: unknown;
    }
  | { type: 'invocationresult'; invocation_id: string; function_id: string; result?: unknown; error?: ErrorBody }
  | { type: 'registertrigger'; id: string; trigger_type: string; function_id: string; config: unknown; metadata?: unknown }
  | { type: 'unregistertrigger'; id: string; trigger_type: string }
  | { type: 'triggerregistrationresult'; id: string; trigger_type: string; function_id: string; error: unknown };

/** One outbound frame of the given type. */
export type OutboundFrameOf<T extends OutboundFrame['type']> = Extract<OutboundFrame, { type: T }>;

/** The one frame a listener sends before closing a refused handshake. */
export interface HandshakeErrorFrame {
  type: 'error';
  error: { code: string; message: string };
}

/** Why a frame was dropped (for the warning log). */
export class FrameError extends Error {}

/** Prefixes of OTel telemetry sent as binary frames (engine.md §2.7). */
const TELEMETRY_PREFIXES = ['OTLP', 'MTRC', 'LOGS'];

export function isTelemetryFrame(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  return TELEMETRY_PREFIXES.includes(String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]));
}

function str(frame: Record<string, unknown>, key: string): string {
  const value = frame[key];
  if (typeof value !== 'string' || value === '') throw new FrameError(`missing or invalid "${key}"`);
  return value;
}

/** An optional field: absent or null reads as undefined; any other value must pass `valid`. */
function optional<T>(frame: Record<string, unknown>, key: string, valid: (value: unknown) => value is T, what: string): T | undefined {
  const value = frame[key];
  if (value === undefined || value === null) return undefined;
  if (!valid(value)) throw new FrameError(`"${key}" must be ${what}`);
  return value;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function optStr(frame: Record<string, unknown>, key: string): string | undefined {
  return optional(frame, key, isString, 'a string');
}

function optObject(frame: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  return optional(frame, key, isPlainObject, 'an object');
}

function has(frame: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(frame, key);
}

function optAction(frame: Record<string, unknown>): InvokeAction | undefined {
  const action = optObject(frame, 'action');
  if (action === undefined) return undefined;
  if (action.type === 'void') return { type: 'void' };
  if (action.type === 'enqueue' && typeof action.queue === 'string') return { type: 'enqueue', queue: action.queue };
  throw new FrameError('unknown "action"');
}

function optInvocationId(frame: Record<string, unknown>): string | undefined {
  return optional(frame, 'invocation_id', isUuid, 'a UUID');
}

/** Parses one text frame; throws `FrameError` (or SyntaxError) for anything to drop. */
export function parseFrame(text: string): InboundFrame | null {
  if (text.trim() === '') return null;
  const raw: unknown = JSON.parse(text);
  if (!isPlainObject(raw)) throw new FrameError('frame is not a JSON object');
  const f = raw;
  switch (f.type) {
    case 'registerfunction':
      return {
        type: 'registerfunction',
        id: str(f, 'id'),
        description: optStr(f, 'description'),
        request_format: f.request_format ?? undefined,
        response_format: f.response_format ?? undefined,
        metadata: optObject(f, 'metadata'),
        invocation: optObject(f, 'invocation'),
      };
    case 'unregisterfunction':
      return { type: 'unregisterfunction', id: str(f, 'id') };
    case 'registertriggertype':
      return {
        type: 'registertriggertype',
        id: str(f, 'id'),
        description: optStr(f, 'description') ?? '',
        trigger_request_format: f.trigger_request_format ?? undefined,
        call_request_format: f.call_request_format ?? undefined,
      };
    case 'unregistertriggertype':
      return { type: 'unregistertriggertype', id: str(f, 'id') };
    case 'registertrigger':
      return {
        type: 'registertrigger',
        id: str(f, 'id'),
        trigger_type: str(f, 'trigger_type'),
        function_id: str(f, 'function_id'),
        config: f.config ?? null,
        metadata: f.metadata ?? undefined,
      };
    case 'triggerregistrationresult':
      return {
        type: 'triggerregistrationresult',
        id: str(f, 'id'),
        trigger_type: optStr(f, 'trigger_type'),
        function_id: optStr(f, 'function_id'),
        error: f.error ?? undefined,
      };
    case 'unregistertrigger':
      return { type: 'unregistertrigger', id: str(f, 'id'), trigger_type: optStr(f, 'trigger_type') };
    case 'invokefunction':
      return {
        type: 'invokefunction',
        invocation_id: optInvocationId(f),
        function_id: str(f, 'function_id'),
        data: f.data ?? null,
        traceparent: optStr(f, 'traceparent'),
        baggage: optStr(f, 'baggage'),
        action: optAction(f),
        metadata: f.metadata ?? undefined,
      };
    case 'invocationresult': {
      const invocationId = optInvocationId(f);
      if (invocationId === undefined) throw new FrameError('missing "invocation_id"');
      return {
        type: 'invocationresult',
        invocation_id: invocationId,
        function_id: typeof f.function_id === 'string' ? f.function_id : '',
        hasResult: has(f, 'result'),
        result: f.result,
        error: f.error ?? undefined,
      };
    }
    case 'reattach':
      return {
        type: 'reattach',
        previous_worker_id: str(f, 'previous_worker_id'),
        reattach_token: optStr(f, 'reattach_token'),
      };
    case 'ping':
    case 'pong':
    case 'workerregistered':
      return { type: f.type };
    case 'registerservice':
      return { type: 'registerservice', id: str(f, 'id') };
    default:
      throw new FrameError(`unknown frame type ${JSON.stringify(f.type)}`);
  }
}
