import { EngineError } from '../../core/errors';

/**
 * Input readers for the queue functions. Wrong shapes become `EngineError`s with stable codes
 * (`invalid_argument`, `queue_not_set`, `message_id_not_set`, `topic_required`), never crashes.
 */

export interface EnqueueInput {
  queue: string;
  function_id: string;
  data: unknown;
  messageReceiptId?: string;
  traceparent?: string;
  baggage?: string;
  /** Delivery attempts of this job before it is dead-lettered (≥ 1), instead of the queue's. */
  max_attempts?: number;
  /** First retry delay of this job in ms (≥ 0, doubled each retry), instead of the queue's. */
  backoff_ms?: number;
}

export function readObject(input: unknown, fn: string): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new EngineError('INVALID_ARGUMENTS', `${fn} expects a JSON object`);
  }
  return input as Record<string, unknown>;
}

export function readEnqueueInput(input: unknown): EnqueueInput {
  const record = readObject(input, 'engine::queue::enqueue');
  const queue = optionalString(record, 'queue', 'engine::queue::enqueue') ?? '';
  const functionId = optionalString(record, 'function_id', 'engine::queue::enqueue');
  if (functionId === undefined || functionId === '') {
    throw new EngineError('function_id_not_set', 'Function id is required');
  }
  const receipt = optionalString(record, 'messageReceiptId', 'engine::queue::enqueue');
  const maxAttempts = optionalInteger(record, 'max_attempts', 1);
  const backoffMs = optionalInteger(record, 'backoff_ms', 0);
  return {
    queue,
    function_id: functionId,
    data: record.data === undefined ? null : record.data,
    messageReceiptId: receipt === '' ? undefined : receipt,
    // Trace context is best-effort: anything but a string is dropped rather than refused.
    traceparent: typeof record.traceparent === 'string' ? record.traceparent : undefined,
    baggage: typeof record.baggage === 'string' ? record.baggage : undefined,
    ...(maxAttempts !== undefined && { max_attempts: maxAttempts }),
    ...(backoffMs !== undefined && { backoff_ms: backoffMs }),
  };
}

function optionalInteger(record: Record<string, unknown>, key: string, min: number): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new EngineError('INVALID_ARGUMENTS', `engine::queue::enqueue: '${key}' must be an integer >= ${min}`);
  }
  return value;
}

/** `{queue}` (alias `topic`), required and non-empty. */
export function readQueueName(record: Record<string, unknown>, fn: string): string {
  const name = optionalString(record, 'queue', fn) ?? optionalString(record, 'topic', fn) ?? '';
  if (name === '') throw new EngineError('queue_not_set', 'Queue name is required');
  return name;
}

export function readMessageId(record: Record<string, unknown>, fn: string): string {
  const id = optionalString(record, 'message_id', fn) ?? '';
  if (id === '') throw new EngineError('message_id_not_set', 'Message ID is required');
  return id;
}

/** `{topic}` (alias `queue`) for the console-style functions, which say `topic_required`. */
export function readTopic(record: Record<string, unknown>, fn: string): string {
  const topic = optionalString(record, 'topic', fn) ?? optionalString(record, 'queue', fn) ?? '';
  if (topic === '') throw new EngineError('topic_required', 'topic is required');
  return topic;
}

export function readCount(record: Record<string, unknown>, key: string, options: { fallback: number; max: number; fn: string }): number {
  const value = record[key];
  if (value === undefined || value === null) return options.fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EngineError('INVALID_ARGUMENTS', `${options.fn}: '${key}' must be a non-negative integer`);
  }
  return Math.min(value, options.max);
}

function optionalString(record: Record<string, unknown>, key: string, fn: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EngineError('INVALID_ARGUMENTS', `${fn}: '${key}' must be a string`);
  return value;
}
