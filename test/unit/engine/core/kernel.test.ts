import { EngineCore } from '../../../../src/engine/core/engine-core';
import { LateRegistrationError, UndeclaredServiceError } from '../../../../src/engine/core/errors';
import type { EngineWorker } from '../../../../src/engine/core/types';
import { openStorage } from '../../../../src/engine/storage';
import { inStartOrder, WORKER_TABLE, type WorkerEntry } from '../../../../src/engine/workers';

const idle = (): EngineWorker => ({ name: 'x', start: async () => undefined, stop: async () => undefined });

describe('the kernel door (EngineContext capabilities)', () => {
  let core: EngineCore;
  beforeEach(() => {
    core = new EngineCore(openStorage({ kind: 'memory' }));
  });
  afterEach(() => core.storage.close());

  it('refuses an upgrade route, a worker-left hook or a service registered after the engine started', () => {
    const late = core.createContext('late-worker');
    core.seal();

    expect(() => late.serveUpgrade(() => false)).toThrow(LateRegistrationError);
    expect(() => late.onWorkerLeft(() => undefined)).toThrow(LateRegistrationError);
    const unused = (): never => {
      throw new Error('unused');
    };
    expect(() => late.provide('http-channels', { open: unused })).toThrow(/late-worker registered service http-channels/);
    expect(core.upgradeHandlers).toHaveLength(0);
  });

  it('hands a service only to a worker that declared it in its needs', () => {
    const hooks = {
      open: (): never => {
        throw new Error('unused');
      },
    };
    core.createContext('provider').provide('http-channels', hooks);

    expect(core.createContext('iii-http', { needs: ['http-channels'] }).use('http-channels')).toBe(hooks);
    expect(() => core.createContext('other').use('http-channels')).toThrow(UndeclaredServiceError);
  });

  it('runs worker-left hooks in order and keeps going when one throws', () => {
    const seen: string[] = [];
    const ctx = core.createContext('w');
    ctx.onWorkerLeft(() => {
      throw new Error('boom');
    });
    const remove = ctx.onWorkerLeft((id) => seen.push(id));

    core.workerLeft('a');
    remove();
    core.workerLeft('b');

    expect(seen).toEqual(['a']);
  });
});

describe('the worker table', () => {
  it('starts providers before the workers that need them, otherwise in the given order', () => {
    const entry = (name: string, extra: Partial<WorkerEntry> = {}): WorkerEntry => ({ name, create: idle, ...extra });
    const http = entry('http', { needs: ['http-channels'] });
    const state = entry('state');
    const channels = entry('channels', { provides: ['http-channels'] });

    expect(inStartOrder([http, state, channels]).map((e) => e.name)).toEqual(['channels', 'http', 'state']);
    expect(inStartOrder([state, http]).map((e) => e.name)).toEqual(['state', 'http']);
  });

  it('has one entry per worker name, each need provided by some entry', () => {
    const names = WORKER_TABLE.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const provided = new Set(WORKER_TABLE.flatMap((e) => e.provides ?? []));
    for (const e of WORKER_TABLE) for (const need of e.needs ?? []) expect(provided).toContain(need);
  });
});
