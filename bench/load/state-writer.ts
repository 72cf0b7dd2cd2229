/**
 * An iii-sdk worker process writing state through the engine (another process):
 * - `throughput`: `state::set` with `concurrency` calls in flight, each acknowledged after its
 *   SQLite commit (and its change record);
 * - `lag`: open-loop `state::set` at `perSecond` for `seconds`, with a state reaction registered
 *   on the scope; each reaction call is timed against its write's send time (one clock, this process).
 */
import { registerWorker } from 'iii-sdk';
import { record, wallMs, type Histogram } from '../lib/histogram';

interface Config {
  worker: string;
}

interface Throughput {
  type: 'throughput';
  operations: number;
  concurrency: number;
}

interface Lag {
  type: 'lag';
  perSecond: number;
  seconds: number;
}

const config = JSON.parse(process.argv[2] as string) as Config;
// iii-sdk prints its progress ("[iii] Worker registered…") with console.debug: not bench output.
console.debug = () => undefined;
const iii = registerWorker(config.worker, { workerName: 'bench-state-writer', otel: { enabled: false }, enableMetricsReporting: false });
let round = 0;

function set(scope: string, key: string, value: unknown): Promise<unknown> {
  return iii.trigger({ function_id: 'state::set', payload: { scope, key, value } });
}

async function throughput(message: Throughput): Promise<{ opsPerSecond: number }> {
  const scope = `bench-throughput-${++round}`;
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < message.operations) {
      const i = next++;
      await set(scope, `k${i}`, { id: i, title: 'benchmark todo', completed: false });
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  return { opsPerSecond: message.operations / ((performance.now() - started) / 1000) };
}

async function lag(message: Lag): Promise<{ lag: Histogram; ack: Histogram; written: number; reacted: number }> {
  const scope = `bench-lag-${++round}`;
  const functionId = `bench::react-${round}`;
  const result = { lag: {} as Histogram, ack: {} as Histogram, written: 0, reacted: 0 };
  const total = Math.round(message.perSecond * message.seconds);
  let allReacted: () => void = () => undefined;
  const reacted = new Promise<void>((resolve) => (allReacted = resolve));
  let warm = false;
  iii.registerFunction(functionId, async (event: { new_value?: { sentAt?: number } | null }) => {
    const sentAt = event.new_value?.sentAt;
    if (typeof sentAt !== 'number') warm = true;
    else {
      record(result.lag, wallMs() - sentAt);
      if (++result.reacted === total) allReacted();
    }
    return null;
  });
  const trigger = iii.registerTrigger({ type: 'state', function_id: functionId, config: { scope } });
  // The trigger is registered without an acknowledgement: write a marker until it reacts once.
  await warmUp(scope, () => warm);

  const pending: Array<Promise<unknown>> = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * message.perSecond) + 1);
    while (sent < due) {
      const sentAt = wallMs();
      pending.push(
        set(scope, `k${sent}`, { sentAt }).then(() => {
          result.written++;
          record(result.ack, wallMs() - sentAt);
        }),
      );
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([reacted, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
  clearTimeout(timer);
  trigger.unregister();
  return result;
}

async function warmUp(scope: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; !done(); i++) {
    if (Date.now() > deadline) throw new Error('the bench reaction never ran');
    await set(scope, `warm-${i}`, { warm: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

process.on('message', (message: Throughput | Lag) => {
  const work = message.type === 'throughput' ? throughput(message) : lag(message);
  void work.then(
    (result) => process.send?.({ type: 'result', ...result }),
    (error: unknown) => process.send?.({ type: 'result', error: String(error) }),
  );
});
process.send?.({ type: 'ready' });
