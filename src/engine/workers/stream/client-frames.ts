/**
 * Frames a stream client sends (§8.3): `join` and `leave`, each with
 * `{subscriptionId, streamName, groupId, id?}`. Anything else is not a frame we act on.
 */
import type { RawData } from 'ws';

export interface ClientFrameData {
  subscriptionId: string;
  streamName: string;
  groupId: string;
  /** Item id, or `null` for the whole group. */
  id: string | null;
}

export interface ClientFrame {
  type: 'join' | 'leave';
  data: ClientFrameData;
}

/** Text of a `message` event whatever its transport form (text or binary frames both carry JSON). */
export function frameText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

/** The frame, or `undefined` for anything malformed (such frames are ignored, never answered). */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const type = parsed.type;
  if (type !== 'join' && type !== 'leave') return undefined;
  const data = parsed.data;
  if (!isRecord(data)) return undefined;
  const { subscriptionId, streamName, groupId, id } = data;
  if (typeof subscriptionId !== 'string' || typeof streamName !== 'string' || typeof groupId !== 'string') {
    return undefined;
  }
  if (id !== undefined && id !== null && typeof id !== 'string') return undefined;
  return { type, data: { subscriptionId, streamName, groupId, id: id ?? null } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
