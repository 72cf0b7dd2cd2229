import { FunctionRegistry, type FunctionEntry, type FunctionOwner } from '../../../../src/engine/core/function-registry';

const A: FunctionOwner = { kind: 'connection', workerId: 'a' };
const B: FunctionOwner = { kind: 'connection', workerId: 'b' };

function entry(id: string, owner: FunctionOwner): FunctionEntry {
  return { id, owner, handler: () => owner };
}

const C: FunctionOwner = { kind: 'connection', workerId: 'c' };

/** Which owner each of `n` successive picks of `id` lands on. */
function picks(registry: FunctionRegistry, id: string, n: number): unknown[] {
  return Array.from({ length: n }, () => registry.pick(id)?.owner);
}

describe('FunctionRegistry', () => {
  it('without pooling lets the last registration of an id win and take ownership', () => {
    const registry = new FunctionRegistry({ pooling: false });
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    expect(registry.get('f')?.owner).toBe(B);
    expect(picks(registry, 'f', 2)).toEqual([B, B]);
    expect(registry.list()).toHaveLength(1);
    expect(registry.unregister('f', A)).toBe(false);
    expect(registry.removeOwnedBy('a')).toEqual([]);
  });

  it('pools an id registered by several connections and spreads calls round robin', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    registry.register(entry('f', C));
    expect(registry.replicaCount('f')).toBe(3);
    expect(registry.list()).toHaveLength(1);
    expect(picks(registry, 'f', 6)).toEqual([A, B, C, A, B, C]);
  });

  it('replaces a connection’s own registration instead of adding a replica', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('f', A));
    registry.register(entry('f', A));
    expect(registry.replicaCount('f')).toBe(1);
  });

  it('lets a replica leave with only its share: the id stays while any replica serves it', () => {
    const registry = new FunctionRegistry();
    const listener = jest.fn();
    registry.onChange(listener);
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    expect(registry.removeOwnedBy('a')).toEqual([]);
    expect(picks(registry, 'f', 2)).toEqual([B, B]);
    expect(registry.unregister('f', A)).toBe(false);
    expect(registry.unregister('f', B)).toBe(true);
    expect(registry.has('f')).toBe(false);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('skips a replica that cannot take a call (its socket is closing) and fails over to the next', () => {
    const registry = new FunctionRegistry();
    let aOpen = true;
    registry.register({ ...entry('f', A), available: () => aOpen });
    registry.register(entry('f', B));
    aOpen = false;
    expect(picks(registry, 'f', 3)).toEqual([B, B, B]);
  });

  it('lets a built-in registration replace every replica (built-ins are never pooled)', () => {
    const registry = new FunctionRegistry();
    const builtin: FunctionOwner = { kind: 'builtin', workerName: 'iii-state' };
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    registry.register(entry('f', builtin));
    expect(registry.replicaCount('f')).toBe(1);
    registry.register(entry('f', C));
    expect(picks(registry, 'f', 2)).toEqual([C, C]);
  });

  it('removes every function a connection still owns', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('a1', A));
    registry.register(entry('a2', A));
    registry.register(entry('b1', B));
    expect(registry.removeOwnedBy('a').sort()).toEqual(['a1', 'a2']);
    expect(registry.list().map((e) => e.id)).toEqual(['b1']);
  });

  it('notifies listeners when the set of ids changes but not on re-registration', () => {
    const registry = new FunctionRegistry();
    const listener = jest.fn();
    registry.onChange(listener);
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    registry.register(entry('f', A));
    registry.unregister('f');
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('counts the functions owned by a connection', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('a1', A));
    registry.register(entry('b1', B));
    registry.register({ id: 'x', owner: { kind: 'builtin', workerName: 'iii-state' }, handler: () => 1 });
    expect(registry.countOwnedBy('a')).toBe(1);
  });
});
