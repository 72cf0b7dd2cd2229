import { createLogger } from '../../../../src/engine/core/logger';
import { TriggerRegistry, type TriggerTypeEntry } from '../../../../src/engine/core/trigger-registry';
import type { TriggerRecord } from '../../../../src/engine/core/types';

function recordingType(id: string, owner: TriggerTypeEntry['owner'] = { kind: 'connection', workerId: 'p' }) {
  const registered: TriggerRecord[] = [];
  const unregistered: TriggerRecord[] = [];
  const type: TriggerTypeEntry = {
    id,
    description: id,
    owner,
    provider: {
      register: (t) => {
        registered.push(t);
      },
      unregister: (t) => {
        unregistered.push(t);
      },
    },
  };
  return { type, registered, unregistered };
}

function trigger(id: string, type: string, workerId = 'c'): TriggerRecord {
  return { id, trigger_type: type, function_id: `fn::${id}`, config: { n: id }, worker_id: workerId };
}

describe('TriggerRegistry', () => {
  const logger = createLogger({ level: 'silent' });

  it('parks a trigger whose type is unknown and activates it when the type registers', async () => {
    const registry = new TriggerRegistry(logger);
    expect(await registry.registerTrigger(trigger('t1', 'hook'))).toBe('pending');
    expect(registry.getTrigger('t1')?.status).toBe('pending');

    const { type, registered } = recordingType('hook');
    await registry.registerType(type);

    expect(registered.map((t) => t.id)).toEqual(['t1']);
    expect(registry.getTrigger('t1')?.status).toBe('registered');
  });

  it('parks triggers when their provider goes and re-delivers them with the same id to a new provider', async () => {
    const registry = new TriggerRegistry(logger);
    const first = recordingType('hook', { kind: 'connection', workerId: 'p1' });
    await registry.registerType(first.type);
    await registry.registerTrigger(trigger('t1', 'hook'));

    registry.removeTypesOwnedBy('p1');
    expect(registry.getTrigger('t1')?.status).toBe('pending');
    expect(registry.getType('hook')).toBeUndefined();

    const second = recordingType('hook', { kind: 'connection', workerId: 'p2' });
    await registry.registerType(second.type);
    expect(second.registered).toEqual([trigger('t1', 'hook')]);
  });

  it('fails with trigger_registration_failed and parks the trigger when the provider throws', async () => {
    const registry = new TriggerRegistry(logger);
    await registry.registerType({
      id: 'http',
      description: 'HTTP',
      owner: { kind: 'builtin', workerName: 'iii-http' },
      provider: {
        register: () => {
          throw new Error('route conflict');
        },
        unregister: () => undefined,
      },
    });
    await expect(registry.registerTrigger(trigger('t1', 'http'))).rejects.toMatchObject({
      code: 'trigger_registration_failed',
      message: 'route conflict',
    });
    expect(registry.getTrigger('t1')?.status).toBe('pending');
  });

  it('replaces a trigger re-registered with the same id instead of duplicating it', async () => {
    const registry = new TriggerRegistry(logger);
    const { type } = recordingType('hook');
    await registry.registerType(type);
    await registry.registerTrigger(trigger('t1', 'hook'));
    await registry.registerTrigger({ ...trigger('t1', 'hook'), config: { n: 'again' } });
    expect(registry.listTriggers()).toHaveLength(1);
    expect(registry.getTrigger('t1')?.record.config).toEqual({ n: 'again' });
  });

  it('withdraws a consumer’s registered triggers from their provider when the consumer goes', async () => {
    const registry = new TriggerRegistry(logger);
    const { type, unregistered } = recordingType('hook');
    await registry.registerType(type);
    await registry.registerTrigger(trigger('t1', 'hook', 'consumer'));
    await registry.registerTrigger(trigger('t2', 'missing', 'consumer'));
    await registry.registerTrigger(trigger('t3', 'hook', 'other'));

    await registry.removeTriggersOwnedBy('consumer');

    expect(unregistered.map((t) => t.id)).toEqual(['t1']);
    expect(registry.listTriggers().map((e) => e.record.id)).toEqual(['t3']);
  });

  it('only lets the owner remove a worker-provided type', async () => {
    const registry = new TriggerRegistry(logger);
    const { type } = recordingType('hook', { kind: 'connection', workerId: 'p1' });
    await registry.registerType(type);
    expect(registry.unregisterType('hook', { kind: 'connection', workerId: 'intruder' })).toBe(false);
    expect(registry.unregisterType('hook', { kind: 'connection', workerId: 'p1' })).toBe(true);
  });

  it('counts only registered instances of a type', async () => {
    const registry = new TriggerRegistry(logger);
    const { type } = recordingType('hook');
    await registry.registerType(type);
    await registry.registerTrigger(trigger('t1', 'hook'));
    await registry.registerTrigger(trigger('t2', 'other'));
    expect(registry.instanceCount('hook')).toBe(1);
  });

  describe('replicas (identical triggers of several worker connections)', () => {
    /** The same trigger as replica `workerId` registers it: its own random id, the same identity. */
    function replica(id: string, workerId: string): TriggerRecord {
      return { id, trigger_type: 'hook', function_id: 'app::react', config: { scope: 'todos', key: undefined }, worker_id: workerId };
    }

    it('hands one identity to the provider once, whichever replicas register it', async () => {
      const registry = new TriggerRegistry(logger);
      const { type, registered } = recordingType('hook');
      await registry.registerType(type);
      await registry.registerTrigger(replica('r1', 'w1'));
      await registry.registerTrigger({ ...replica('r2', 'w2'), config: { scope: 'todos' } });
      await registry.registerTrigger(replica('r3', 'w3'));
      expect(registered.map((t) => t.id)).toEqual(['r1']);
      expect(registry.isStandby('r2')).toBe(true);
      expect(registry.listTriggers('registered').map((e) => e.record.id)).toEqual(['r1', 'r2', 'r3']);
    });

    it('hands the next replica over before withdrawing the one that left, and keeps others', async () => {
      const registry = new TriggerRegistry(logger);
      const calls: string[] = [];
      await registry.registerType({
        id: 'hook',
        description: 'hook',
        owner: { kind: 'builtin', workerName: 'x' },
        provider: { register: (t) => void calls.push(`+${t.id}`), unregister: (t) => void calls.push(`-${t.id}`) },
      });
      await registry.registerTrigger(replica('r1', 'w1'));
      await registry.registerTrigger(replica('r2', 'w2'));
      await registry.registerTrigger(replica('r3', 'w3'));
      await registry.removeTriggersOwnedBy('w2');
      expect(calls).toEqual(['+r1']);
      await registry.removeTriggersOwnedBy('w1');
      expect(calls).toEqual(['+r1', '+r3', '-r1']);
      expect(registry.isStandby('r3')).toBe(false);
      await registry.unregisterTrigger('r3');
      expect(calls).toEqual(['+r1', '+r3', '-r1', '-r3']);
      expect(registry.listTriggers()).toEqual([]);
    });

    it('keeps different configs, functions or types apart', async () => {
      const registry = new TriggerRegistry(logger);
      const { type, registered } = recordingType('hook');
      await registry.registerType(type);
      await registry.registerTrigger(replica('r1', 'w1'));
      await registry.registerTrigger({ ...replica('r2', 'w2'), config: { scope: 'other' } });
      await registry.registerTrigger({ ...replica('r3', 'w2'), function_id: 'app::other' });
      expect(registered.map((t) => t.id)).toEqual(['r1', 'r2', 'r3']);
    });

    it('activates only the replica in service when the trigger type (re)appears', async () => {
      const registry = new TriggerRegistry(logger);
      await registry.registerTrigger(replica('r1', 'w1'));
      await registry.registerTrigger(replica('r2', 'w2'));
      const { type, registered } = recordingType('hook');
      await registry.registerType(type);
      expect(registered.map((t) => t.id)).toEqual(['r1']);
    });

    it('without pooling hands every registration over (one delivery per replica)', async () => {
      const registry = new TriggerRegistry(logger, { pooling: false });
      const { type, registered } = recordingType('hook');
      await registry.registerType(type);
      await registry.registerTrigger(replica('r1', 'w1'));
      await registry.registerTrigger(replica('r2', 'w2'));
      expect(registered.map((t) => t.id)).toEqual(['r1', 'r2']);
    });
  });
});
