/**
 * The cost of the state change log at the storage level, in its own process (pinned to the server
 * core): the same durable, group-committed SQLite state write with its change record (`stateLog`,
 * what every `state::set` does) and without (the plain KV write it is built on). One round per
 * `go` message, so the bench can alternate the two in one run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/engine/storage';

interface Round {
  type: 'go';
  mode: 'logged' | 'plain';
  operations: number;
  concurrency: number;
}

const directory = mkdtempSync(join(tmpdir(), 'iii-bench-log-'));
const storage = openStorage({ kind: 'sqlite', directory });
let round = 0;

/** Writes per second of wall time, and CPU microseconds of this process per write. */
async function run(message: Round): Promise<{ opsPerSecond: number; cpuMicros: number }> {
  round += 1;
  const scope = `bench-${message.mode}-${round}`;
  const value = (i: number): { id: number; title: string; completed: boolean } => ({ id: i, title: 'benchmark todo', completed: false });
  const write =
    message.mode === 'logged'
      ? (i: number) => storage.stateLog.write({ scope, key: `k${i}`, compute: () => ({ value: value(i) }) })
      : (i: number) => storage.kv.set('state', scope, `k${i}`, value(i));
  let next = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const lane = async (): Promise<void> => {
    while (next < message.operations) await write(next++);
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  const cpu = process.cpuUsage(cpu0);
  return {
    opsPerSecond: message.operations / ((performance.now() - started) / 1000),
    cpuMicros: (cpu.user + cpu.system) / message.operations,
  };
}

process.on('message', (message: Round | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void storage.close().then(() => {
      rmSync(directory, { recursive: true, force: true });
      process.exit(0);
    });
    return;
  }
  void run(message).then((result) => process.send?.({ type: 'result', ...result }));
});
process.on('SIGTERM', () => {
  void storage.close().finally(() => {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  });
});
process.send?.({ type: 'ready' });
