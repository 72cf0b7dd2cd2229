/**
 * The worker secret (our addition to the worker protocol, in the spirit of Redis's protected
 * mode): when a listener has one, every worker must present it in the `x-iii-worker-token`
 * handshake header (iii-sdk: `registerWorker(url, { headers })`) before any frame is read.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The handshake header carrying the worker secret. */
export const WORKER_TOKEN_HEADER = 'x-iii-worker-token';
/** File (in the data directory) holding a generated secret. */
export const WORKER_TOKEN_FILE = 'worker-token';

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Reads the secret kept in `directory`, or creates one there (mode 0600, 32 random bytes as
 * hex). Without a directory (in-memory engines) the secret lives only in this process.
 */
export function loadOrCreateWorkerToken(directory: string | undefined): { token: string; file?: string; created: boolean } {
  if (directory === undefined) return { token: randomBytes(32).toString('hex'), created: true };
  const file = join(directory, WORKER_TOKEN_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing !== '') return { token: existing, file, created: false };
  } catch {
    // absent: created below
  }
  mkdirSync(directory, { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing empty file keeps its old mode otherwise
  return { token, file, created: true };
}
