/**
 * What one stream client, and all of them together, may hold (the `limits` block of the
 * `iii-stream` config, ours): subscriptions per connection, connections per remote address and
 * in total, client frames per second, and how long a join guard or the auth function may take.
 * A client past a limit gets a close code or an `error` event it can show (docs/streams-protocol.md).
 */
import { EngineError } from '../../core/errors';
import { withDeadline } from '../../lib/deadline';
import { backgroundClock } from '../../lib/clock';

export interface StreamLimits {
  /** Live subscriptions one connection may hold; a join beyond gets an `error` event `subscription_limit`. */
  subscriptionsPerConnection: number;
  /** Open connections in total; beyond, the handshake is closed with 1013. */
  connections: number;
  /** Open connections from one remote address; beyond, closed with 1008 (addresses in `unlimitedAddresses` are exempt). */
  connectionsPerAddress: number;
  /** Remote addresses the per-address limit does not count (default loopback: a local reverse proxy). */
  unlimitedAddresses: readonly string[];
  /** Client frames per second per connection (bursts up to twice that); beyond, closed with 1008. */
  framesPerSecond: number;
  /** How long a `stream:join` guard or the auth function may take before the join is refused. */
  guardTimeoutMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  subscriptionsPerConnection: 100,
  connections: 16_384,
  connectionsPerAddress: 256,
  unlimitedAddresses: ['127.0.0.1', '::1'],
  framesPerSecond: 100,
  guardTimeoutMs: 10_000,
};

/** Config key → field, with the range each accepts. */
const NUMERIC_KEYS: ReadonlyArray<[string, keyof Omit<StreamLimits, 'unlimitedAddresses'>, number]> = [
  ['subscriptions_per_connection', 'subscriptionsPerConnection', 1],
  ['connections', 'connections', 1],
  ['connections_per_address', 'connectionsPerAddress', 1],
  ['frames_per_second', 'framesPerSecond', 1],
  ['guard_timeout_ms', 'guardTimeoutMs', 1],
];

function configError(message: string): EngineError {
  return new EngineError('config_invalid', `iii-stream: ${message}`);
}

/** Reads `limits: { ... }`; absent keys keep their defaults, unknown ones are refused. */
export function readStreamLimits(value: unknown): StreamLimits {
  if (value === undefined || value === null) return DEFAULT_STREAM_LIMITS;
  if (typeof value !== 'object' || Array.isArray(value)) throw configError('`limits` must be a map');
  const raw = value as Record<string, unknown>;
  const known = new Set([...NUMERIC_KEYS.map(([key]) => key), 'unlimited_addresses']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw configError(`unknown field \`limits.${key}\`, expected one of ${[...known].map((k) => `\`${k}\``).join(', ')}`);
  }
  const limits: StreamLimits = { ...DEFAULT_STREAM_LIMITS };
  for (const [key, field, min] of NUMERIC_KEYS) {
    const given = raw[key];
    if (given === undefined || given === null) continue;
    const parsed = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
    if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < min) {
      throw configError(`\`limits.${key}\` must be a whole number ≥ ${min}, got ${JSON.stringify(given)}`);
    }
    limits[field] = parsed;
  }
  const addresses = raw.unlimited_addresses;
  if (addresses !== undefined && addresses !== null) {
    if (!Array.isArray(addresses) || addresses.some((a) => typeof a !== 'string')) {
      throw configError('`limits.unlimited_addresses` must be a list of IP addresses');
    }
    limits.unlimitedAddresses = (addresses as string[]).map(normaliseAddress);
  }
  return limits;
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) counts as `127.0.0.1`. */
export function normaliseAddress(address: string | undefined): string {
  const raw = address ?? 'unknown';
  return raw.startsWith('::ffff:') && raw.includes('.') ? raw.slice('::ffff:'.length) : raw;
}

/** Open connections per remote address, against the two connection limits. */
export class ConnectionCounter {
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly unlimited: ReadonlySet<string>;

  constructor(private readonly limits: Pick<StreamLimits, 'connections' | 'connectionsPerAddress' | 'unlimitedAddresses'>) {
    this.unlimited = new Set(limits.unlimitedAddresses.map(normaliseAddress));
  }

  /** Why one more connection from `address` is refused, or undefined when it may open. */
  refusal(address: string): 'total' | 'address' | undefined {
    if (this.total >= this.limits.connections) return 'total';
    if (!this.unlimited.has(address) && (this.byAddress.get(address) ?? 0) >= this.limits.connectionsPerAddress) return 'address';
    return undefined;
  }

  /** Counts a connection; the returned function releases it (once). */
  add(address: string): () => void {
    this.total++;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    };
  }
}

/** A token bucket: `perSecond` frames a second, bursts up to twice that. */
export class FrameRate {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = perSecond * 2;
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one frame's token; false when the client is over its rate. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Rejects when `promise` has not settled within `ms` (a guard that never answers refuses the join).
 * The deadline alone does not hold the process: a guard still unanswered when the engine stops
 * must not keep it running until the deadline.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withDeadline(
    promise,
    ms,
    (): never => {
      throw new Error(`no answer within ${ms} ms`);
    },
    backgroundClock,
  );
}
