/**
 * The `iii-queue` worker's `config:` block. Queues come from `queue_configs` (the reference
 * engine's key: a map of name → settings) or `queues` (same map, or a list of `{name, ...}`);
 * a `default` queue always exists. Bad values fail at start-up with a message naming the queue
 * and the field, instead of surfacing later as odd retry behaviour.
 */

export type QueueType = 'standard' | 'fifo';

export interface QueueSettings {
  readonly name: string;
  /**
   * Delivery attempts before a job moves to the dead-letter list — the reference README's meaning
   * ("maximum delivery attempts"), so the default 3 means one try and two retries; 0 acts as 1.
   */
  readonly max_retries: number;
  /** Jobs of this queue running at the same time. */
  readonly concurrency: number;
  /**
   * `fifo`: jobs of one message group run one at a time in enqueue order, and a failing head
   * blocks its group until it succeeds or is dead-lettered; different groups still run side by
   * side up to `concurrency` (the reference runs a whole FIFO queue one job at a time).
   */
  readonly type: QueueType;
  /** FIFO only: the `data` field whose value orders jobs into groups (one at a time per group). */
  readonly message_group_field?: string;
  /** Retry n (n ≥ 1) waits `backoff_ms · 2^(n−1)`. */
  readonly backoff_ms: number;
  /** Accepted for compatibility; dispatch is event-driven (enqueue, completion, retry timers). */
  readonly poll_interval_ms: number;
}

export interface QueueWorkerConfig {
  readonly queues: ReadonlyMap<string, QueueSettings>;
  /** How long `stop()` waits for running jobs before leaving them to be recovered at next start. */
  readonly shutdown_timeout_ms: number;
}

export const DEFAULT_QUEUE = 'default';

const DEFAULTS = { max_retries: 3, concurrency: 10, backoff_ms: 1000, poll_interval_ms: 100 } as const;

export class QueueConfigError extends Error {
  readonly code = 'QUEUE_CONFIG_INVALID';
  constructor(message: string) {
    super(`iii-queue config: ${message}`);
    this.name = 'QueueConfigError';
  }
}

export function parseQueueWorkerConfig(config: Record<string, unknown>): QueueWorkerConfig {
  const queues = new Map<string, QueueSettings>();
  for (const [name, raw] of queueEntries(config)) {
    queues.set(name, parseQueueSettings(name, raw));
  }
  if (!queues.has(DEFAULT_QUEUE)) queues.set(DEFAULT_QUEUE, parseQueueSettings(DEFAULT_QUEUE, {}));
  return {
    queues,
    shutdown_timeout_ms: readInteger(config, 'shutdown_timeout_ms', 5000, 'worker', 0),
  };
}

function queueEntries(config: Record<string, unknown>): Array<[string, unknown]> {
  const source = config.queue_configs ?? config.queues;
  if (source === undefined || source === null) return [];
  if (Array.isArray(source)) {
    return source.map((entry, index) => {
      const name = isRecord(entry) ? entry.name : undefined;
      if (typeof name !== 'string' || name === '') {
        throw new QueueConfigError(`queues[${index}] needs a non-empty string 'name'`);
      }
      return [name, entry] as [string, unknown];
    });
  }
  if (!isRecord(source)) throw new QueueConfigError("'queue_configs' must be a map of queue name to settings");
  return Object.keys(source).map((name) => [name, source[name]] as [string, unknown]);
}

function parseQueueSettings(name: string, raw: unknown): QueueSettings {
  if (name === '') throw new QueueConfigError('queue names must not be empty');
  const settings = raw === undefined || raw === null ? {} : raw;
  if (!isRecord(settings)) throw new QueueConfigError(`queue '${name}' settings must be an object`);
  const type = settings.type ?? 'standard';
  if (type !== 'standard' && type !== 'fifo') {
    throw new QueueConfigError(`queue '${name}': type must be 'standard' or 'fifo'`);
  }
  const groupField = settings.message_group_field;
  if (groupField !== undefined && (typeof groupField !== 'string' || groupField === '')) {
    throw new QueueConfigError(`queue '${name}': message_group_field must be a non-empty string`);
  }
  if (type === 'fifo' && groupField === undefined) {
    throw new QueueConfigError(`FIFO queue '${name}' requires 'message_group_field' to be configured`);
  }
  const where = `queue '${name}'`;
  return {
    name,
    type,
    message_group_field: groupField,
    max_retries: readInteger(settings, 'max_retries', DEFAULTS.max_retries, where, 0),
    concurrency: readInteger(settings, 'concurrency', DEFAULTS.concurrency, where, 1),
    backoff_ms: readInteger(settings, 'backoff_ms', DEFAULTS.backoff_ms, where, 0),
    poll_interval_ms: readInteger(settings, 'poll_interval_ms', DEFAULTS.poll_interval_ms, where, 1),
  };
}

function readInteger(source: Record<string, unknown>, key: string, fallback: number, where: string, min: number): number {
  const value = source[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new QueueConfigError(`${where}: ${key} must be an integer >= ${min} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
