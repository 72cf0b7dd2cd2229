/** A group of subscriber processes against one server, driven together. */
import { merge, type Histogram } from './histogram';
import { startLoad, type LoadProcess } from './proc';
import type { RunningServer } from './proc';

export interface SubscriberGroup {
  processes: LoadProcess[];
  /** Starts counting (drops anything pushed before); resolves to each process's CPU seconds so far. */
  measure(): Promise<number[]>;
  report(): Promise<{ latencies: Histogram; delivered: number; cpuSeconds: number }>;
  close(): Promise<void>;
}

/** `count` connections spread over `processes` load processes; resolves once every one is joined. */
export async function subscribe(server: RunningServer, count: number, processes: number, notify = false): Promise<SubscriberGroup> {
  const protocol = server.name === 'ours' || server.name === 'baseline' ? 'iii' : 'plain';
  const sizes = Array.from({ length: processes }, (_, i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0)).filter(
    (n) => n > 0,
  );
  const children = sizes.map((n) => startLoad('subscribers.js', { url: server.urls.stream, protocol, count: n, notifyAt: notify ? n : 0 }));
  try {
    await Promise.all(children.map((child) => child.next('ready', 180_000)));
  } catch (error) {
    await Promise.all(children.map((child) => child.stop()));
    throw error;
  }
  return {
    processes: children,
    async measure() {
      const replies = await Promise.all(children.map((child) => child.ask<{ cpu: number }>({ type: 'measure' }, 'measuring')));
      return replies.map((reply) => reply.cpu);
    },
    async report() {
      const reports = await Promise.all(
        children.map((child) => child.ask<{ latencies: Histogram; delivered: number; cpuSeconds: number }>({ type: 'report' }, 'report')),
      );
      return {
        latencies: reports.reduce((all, r) => merge(all, r.latencies), {} as Histogram),
        delivered: reports.reduce((sum, r) => sum + r.delivered, 0),
        cpuSeconds: reports.reduce((sum, r) => sum + r.cpuSeconds, 0),
      };
    },
    async close() {
      await Promise.all(children.map((child) => child.stop()));
    },
  };
}
