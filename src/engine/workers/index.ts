/**
 * The worker table: every built-in worker, one entry each. `startEngine` starts the entries the
 * config names (and those marked `always`), providers before the workers that need them; each gets
 * only an `EngineContext` (the kernel's one door). Workers never import each other: what one
 * offers another goes through a named service (`provides` / `needs`).
 */
import { BridgeClient } from '../adapters/bridge';
import type { ServiceName } from '../core/services';
import type { EngineWorker, WorkerAdapters } from '../core/types';
import { createChannelsWorker } from './channels';
import { createCronWorker } from './cron';
import { createEngineFunctionsWorker, createObservabilityWorker, ENGINE_FUNCTIONS_WORKER, OBSERVABILITY_WORKER } from './engine-fn';
import { createHttpWorker } from './http';
import { createHttpFunctionsWorker } from './http-functions';
import { createPubsubWorker } from './pubsub';
import { createQueueWorker } from './queue';
import { createStateWorker } from './state';
import { createStreamWorker } from './stream';

export interface WorkerEntry {
  /** The iii worker name config.yaml uses. */
  readonly name: string;
  /** Services the worker uses when some started worker provides them (it runs without them). */
  readonly needs?: readonly ServiceName[];
  /** Services the worker provides while it starts. */
  readonly provides?: readonly ServiceName[];
  /** Started whatever the config says (the real engine's core parts). */
  readonly always?: boolean;
  /** The worker name its functions are listed under, when not its own. */
  readonly listedAs?: string;
  /** Builds the worker from its `config:` block (after `${VAR:default}` expansion). */
  create(config: Record<string, unknown>): EngineWorker;
}

/** What the table hands the workers that keep data elsewhere (`adapter: bridge`). */
const ADAPTERS: WorkerAdapters = { openBridge: (options) => new BridgeClient(options) };

export const WORKER_TABLE: readonly WorkerEntry[] = [
  { name: ENGINE_FUNCTIONS_WORKER, always: true, create: () => createEngineFunctionsWorker() },
  { name: OBSERVABILITY_WORKER, always: true, create: () => createObservabilityWorker() },
  {
    name: 'iii-channels',
    always: true,
    listedAs: ENGINE_FUNCTIONS_WORKER,
    provides: ['http-channels'],
    create: () => createChannelsWorker(),
  },
  { name: 'iii-state', create: (config) => createStateWorker(config, ADAPTERS) },
  { name: 'iii-stream', provides: ['stream-subscribers'], create: (config) => createStreamWorker(config, ADAPTERS) },
  { name: 'iii-http', needs: ['http-channels'], create: createHttpWorker },
  { name: 'iii-pubsub', create: createPubsubWorker },
  { name: 'iii-cron', create: createCronWorker },
  { name: 'iii-queue', create: createQueueWorker },
  { name: 'iii-http-functions', provides: ['external-functions'], create: (config) => createHttpFunctionsWorker(config) },
];

/** A worker entry, by name. */
export function workerEntry(name: string): WorkerEntry | undefined {
  return WORKER_TABLE.find((entry) => entry.name === name);
}

/**
 * The entries in start order: providers before the workers that need them, otherwise in the order
 * given. A need no entry provides is simply absent at run time; a cycle is a programming error.
 */
export function inStartOrder(entries: readonly WorkerEntry[]): WorkerEntry[] {
  const providers = new Map<ServiceName, WorkerEntry>();
  for (const entry of entries) for (const service of entry.provides ?? []) providers.set(service, entry);
  const ordered: WorkerEntry[] = [];
  const state = new Map<WorkerEntry, 'visiting' | 'done'>();
  const visit = (entry: WorkerEntry): void => {
    if (state.get(entry) === 'done') return;
    if (state.get(entry) === 'visiting') throw new Error(`worker table: ${entry.name} needs a service that needs it back`);
    state.set(entry, 'visiting');
    for (const service of entry.needs ?? []) {
      const provider = providers.get(service);
      if (provider !== undefined) visit(provider);
    }
    state.set(entry, 'done');
    ordered.push(entry);
  };
  for (const entry of entries) visit(entry);
  return ordered;
}
