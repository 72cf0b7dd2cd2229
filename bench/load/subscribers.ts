/**
 * WebSocket subscriber process: opens `count` connections (the iii stream protocol with a join of
 * todos-live/all, or a plain `ws` peer), then times every pushed todo whose title is
 * `bench <ms>` against the shared clock. Reports how many messages arrived since `measure`, a
 * latency histogram, and (fan-out) when every connection of this process has received a change.
 */
import WebSocket from 'ws';
import { record, wallMs, type Histogram } from '../lib/histogram';

interface Config {
  url: string;
  protocol: 'iii' | 'plain';
  count: number;
  /** Per change, tell the parent once this many deliveries arrived (fan-out); 0 = never. */
  notifyAt: number;
}

const config = JSON.parse(process.argv[2] as string) as Config;
/** What precedes the send time in a pushed todo; found in the raw frame bytes, never decoded whole. */
const MARKER = Buffer.from('"title":"bench ');
const QUOTE = 0x22;
const latencies: Histogram = {};
const changes = new Map<string, { count: number; first: number; last: number }>();
const sockets: WebSocket[] = [];
let since = Infinity;
let delivered = 0;

/**
 * The send time in a frame (`"title":"bench <ms>"`), or NaN. A byte search and a short slice per
 * message: decoding and matching the whole frame as text cost the subscriber processes a
 * noticeable share of their core at 1,000 subscribers, where they must not be what is measured.
 */
function sendTime(data: Buffer): { text: string; ms: number } | undefined {
  const at = data.indexOf(MARKER);
  if (at < 0) return undefined;
  const start = at + MARKER.length;
  const end = data.indexOf(QUOTE, start);
  if (end < 0) return undefined;
  const text = data.toString('latin1', start, end);
  const ms = Number(text);
  return Number.isFinite(ms) ? { text, ms } : undefined;
}

function onMessage(data: WebSocket.RawData): void {
  const now = wallMs();
  if (now < since) return;
  delivered++;
  const found = sendTime(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
  if (found === undefined) return;
  const sent = found.ms;
  if (sent < since) return; // an older todo, replayed in a sync
  record(latencies, now - sent);
  if (config.notifyAt === 0) return;
  let change = changes.get(found.text);
  if (change === undefined) {
    change = { count: 0, first: now, last: 0 };
    changes.set(found.text, change);
  }
  change.count++;
  change.last = now;
  // `cpu`: this process's CPU seconds so far, so the bench sees how busy the load core was.
  if (change.count === config.notifyAt) process.send?.({ type: 'change', sent, first: change.first, last: now, cpu: cpuSeconds() });
}

/** Opens one connection; resolves on its first message (the sync after the join or on connect). */
function open(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(config.url, { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(socket);
    socket.once('open', () => {
      if (config.protocol === 'iii') {
        socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: `s${i}`, streamName: 'todos-live', groupId: 'all' } }));
      }
    });
    socket.once('message', () => {
      socket.on('message', onMessage);
      resolve();
    });
    socket.once('error', reject);
  });
}

async function openAll(): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < config.count) await open(next++);
  };
  await Promise.all(Array.from({ length: Math.min(64, config.count) }, lane));
}

function cpuSeconds(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1e6;
}

process.on('message', (message: { type?: string }) => {
  if (message.type === 'measure') {
    since = wallMs();
    delivered = 0;
    changes.clear();
    for (const key of Object.keys(latencies)) delete latencies[Number(key)];
    process.send?.({ type: 'measuring', cpu: cpuSeconds() });
  } else if (message.type === 'report') {
    process.send?.({ type: 'report', latencies, delivered, cpuSeconds: cpuSeconds() });
  } else if (message.type === 'close') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});

openAll().then(
  () => process.send?.({ type: 'ready' }),
  (error: unknown) => {
    console.error('subscriber failed to connect:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
