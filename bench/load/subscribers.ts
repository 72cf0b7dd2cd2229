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
const TITLE = /"title":"bench ([0-9.]+)"/;
const latencies: Histogram = {};
const changes = new Map<string, { count: number; first: number; last: number }>();
const sockets: WebSocket[] = [];
let since = Infinity;
let delivered = 0;

function onMessage(data: WebSocket.RawData): void {
  const now = wallMs();
  if (now < since) return;
  delivered++;
  const match = TITLE.exec(data.toString());
  if (match === null) return;
  const sent = Number(match[1]);
  if (sent < since) return; // an older todo, replayed in a sync
  record(latencies, now - sent);
  let change = changes.get(match[1] as string);
  if (change === undefined) {
    change = { count: 0, first: now, last: 0 };
    changes.set(match[1] as string, change);
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
