/**
 * The worker protocol's frames (engine.md §3): what a worker sends (`InboundFrame`, parsed and
 * validated by `parseFrame`) and what the engine sends back (`OutboundFrame`, encoded as JSON).
 */
import type { ErrorBody } from './errors';
import { isPlainObject, isUuid, JsonText } from './json';

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

/** Reads one field of a raw frame; throws `FrameError` when it is present but wrong (or required and absent). */
type FieldReader<V> = (frame: Record<string, unknown>, key: string) => V;

/** For each field of a frame type but `type`, the reader that validates it. */
type FrameShape<F> = { readonly [K in Exclude<keyof F, 'type'>]-?: FieldReader<F[K]> };

/** A required non-empty string. */
const str: FieldReader<string> = (frame, key) => {
  const value = frame[key];
  if (typeof value !== 'string' || value === '') throw new FrameError(`missing or invalid "${key}"`);
  return value;
};

/** An optional field: absent or null reads as undefined; any other value must pass `valid`. */
function optional<T>(valid: (value: unknown) => value is T, what: string): FieldReader<T | undefined> {
  return (frame, key) => {
    const value = frame[key];
    if (value === undefined || value === null) return undefined;
    if (!valid(value)) throw new FrameError(`"${key}" must be ${what}`);
    return value;
  };
}

const optStr = optional((value): value is string => typeof value === 'string', 'a string');
const optObject = optional(isPlainObject, 'an object');
const optUuid = optional(isUuid, 'a UUID');
/** Anything; null reads as absent. */
const loose: FieldReader<unknown> = (frame, key) => frame[key] ?? undefined;
/** Anything; absent reads as `fallback` (where the real engine would drop the frame, engine.md §14). */
const orDefault =
  <V>(fallback: V): FieldReader<unknown> =>
  (frame, key) =>
    frame[key] ?? fallback;

const action: FieldReader<InvokeAction | undefined> = (frame, key) => {
  const value = optObject(frame, key);
  if (value === undefined) return undefined;
  if (value.type === 'void') return { type: 'void' };
  if (value.type === 'enqueue' && typeof value.queue === 'string') return { type: 'enqueue', queue: value.queue };
  throw new FrameError('unknown "action"');
};

const requiredUuid: FieldReader<string> = (frame, key) => {
  const value = optUuid(frame, key);
  if (value === undefined) throw new FrameError(`missing "${key}"`);
  return value;
};

const none = {} as const;

/** Every inbound frame type and how each of its fields is read: the one place the shapes are checked. */
const SHAPES: { readonly [T in InboundFrame['type']]: FrameShape<InboundFrameOf<T>> } = {
  registerfunction: {
    id: str,
    description: optStr,
    request_format: loose,
    response_format: loose,
    metadata: optObject,
    invocation: optObject,
  },
  unregisterfunction: { id: str },
  registertriggertype: {
    id: str,
    description: (frame, key) => optStr(frame, key) ?? '',
    trigger_request_format: loose,
    call_request_format: loose,
  },
  unregistertriggertype: { id: str },
  registertrigger: { id: str, trigger_type: str, function_id: str, config: orDefault(null), metadata: loose },
  triggerregistrationresult: { id: str, trigger_type: optStr, function_id: optStr, error: loose },
  unregistertrigger: { id: str, trigger_type: optStr },
  invokefunction: {
    invocation_id: optUuid,
    function_id: str,
    data: orDefault(null),
    traceparent: optStr,
    baggage: optStr,
    action,
    metadata: loose,
  },
  invocationresult: {
    invocation_id: requiredUuid,
    function_id: (frame, key) => (typeof frame[key] === 'string' ? (frame[key] as string) : ''),
    // Absent and null differ: `hasResult` tells them apart.
    hasResult: (frame) => Object.prototype.hasOwnProperty.call(frame, 'result'),
    result: (frame, key) => frame[key],
    error: loose,
  },
  reattach: { previous_worker_id: str, reattach_token: optStr },
  ping: none,
  pong: none,
  registerservice: { id: str },
  workerregistered: none,
};

/** One type's fields as two parallel lists (indexed loops: every frame of the protocol passes here). */
interface FieldList {
  readonly keys: readonly string[];
  readonly readers: ReadonlyArray<FieldReader<unknown>>;
}

/** The shapes as lists, by type (a Map, so a frame's `type` can never reach `Object.prototype`). */
const READERS = new Map<string, FieldList>(
  Object.entries(SHAPES).map(([type, shape]) => {
    const fields = Object.entries(shape as Record<string, FieldReader<unknown>>);
    return [type, { keys: fields.map(([key]) => key), readers: fields.map(([, read]) => read) }];
  }),
);

const OPEN_BRACE = 0x7b;

/** Parses one text frame; throws `FrameError` (or SyntaxError) for anything to drop. */
export function parseFrame(text: string): InboundFrame | null {
  // Frames start with `{`; only anything else can be blank.
  if (text.charCodeAt(0) !== OPEN_BRACE && text.trim() === '') return null;
  const raw: unknown = JSON.parse(text);
  if (!isPlainObject(raw)) throw new FrameError('frame is not a JSON object');
  const fields = typeof raw.type === 'string' ? READERS.get(raw.type) : undefined;
  if (fields === undefined) throw new FrameError(`unknown frame type ${JSON.stringify(raw.type)}`);
  const frame: Record<string, unknown> = { type: raw.type };
  const { keys, readers } = fields;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    frame[key] = (readers[i] as FieldReader<unknown>)(raw, key);
  }
  return frame as InboundFrame;
}

/**
 * An outbound frame as JSON text: `JSON.stringify` of it, except that an `invocationresult` whose
 * `result` is a `JsonText` gets that text spliced in (the same text `JSON.stringify` would write
 * for the parsed value, in the same key order, without parsing it).
 */
export function encodeFrame(frame: OutboundFrame): string {
  if (frame.type === 'invocationresult' && frame.result instanceof JsonText && frame.error === undefined) {
    return (
      `{"type":"invocationresult","invocation_id":${JSON.stringify(frame.invocation_id)},` +
      `"function_id":${JSON.stringify(frame.function_id)},"result":${frame.result.text}}`
    );
  }
  return JSON.stringify(frame);
}
