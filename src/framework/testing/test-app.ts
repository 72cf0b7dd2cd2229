import type { IIIApplication } from '../application/application';
import type { EmbeddedEngineOptions, EngineUrls } from '../application/engine-connection';
import { IIIFactory, type ApplicationOptions } from '../application/factory';
import type { ModuleClass } from '../metadata/types';
import { ManualClock, type TestClock } from './manual-clock';

export type { TestClock } from './manual-clock';

export interface TestApp {
  readonly app: IIIApplication;
  readonly urls: EngineUrls;
  /**
   * Resolves once nothing is due: every state reaction has caught up with the writes made so far
   * (and the writes those reactions made), every queued job and retry due by the clock has run,
   * and every stream frame they caused has been written to the connected clients' sockets (a
   * client in the test's process has received it once `settle()` resolves). Await it instead of
   * sleeping or polling.
   */
  settle(): Promise<void>;
  /**
   * The engine's clock, fake: cron triggers, queue retries and reaction backoff wait for
   * `clock.tick(ms)`, which fires what falls due and settles after each timer.
   */
  readonly clock: TestClock;
  close(): Promise<void>;
}

export interface TestAppOptions extends ApplicationOptions {
  /** Runs before `listen()`: global enhancers (`app.useGlobalPipes(...)`) and the like. */
  configure?: (app: IIIApplication) => void;
  /** Where the fake clock starts (default 2030-01-01T00:00:00Z). */
  now?: Date | number;
}

/**
 * Boots `root` on a fresh embedded engine (memory storage, ephemeral ports on 127.0.0.1, no
 * logging, a fake clock) and waits until its functions and triggers are registered. Always
 * `close()` it.
 */
export async function createTestApp(root: ModuleClass, options: TestAppOptions = {}): Promise<TestApp> {
  const { configure, now, ...appOptions } = options;
  const clock = new ManualClock(now);
  const engine: EmbeddedEngineOptions = { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1', clock, ...options.engine };
  const app = await IIIFactory.create(root, {
    logger: false,
    readyTimeoutMs: 5_000,
    ...appOptions,
    engine,
    worker: {
      reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 250, maxRetries: -1 },
      invocationTimeoutMs: 10_000,
      ...options.worker,
    },
  });
  clock.settle = () => app.settle();
  try {
    configure?.(app);
    await app.listen();
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, urls: app.urls, clock, settle: () => app.settle(), close: () => app.close() };
}
