import type { WorkerFactory } from '../core/types';
import { createCronWorker } from './cron';
import { createHttpWorker } from './http';
import { createHttpFunctionsWorker } from './http-functions';
import { createPubsubWorker } from './pubsub';
import { createQueueWorker } from './queue';
import { createStateWorker } from './state';
import { createStreamWorker } from './stream';

/**
 * Built-in workers that config.yaml can list, by their iii worker name. The worker manager,
 * `iii-engine-functions` and `iii-observability` are not here: they need the engine core itself
 * and are always started by `startEngine`.
 */
export const WORKER_FACTORIES: Readonly<Record<string, WorkerFactory>> = {
  'iii-state': createStateWorker,
  'iii-stream': createStreamWorker,
  'iii-http': createHttpWorker,
  'iii-pubsub': createPubsubWorker,
  'iii-cron': createCronWorker,
  'iii-queue': createQueueWorker,
  'iii-http-functions': (config) => createHttpFunctionsWorker(config),
};
