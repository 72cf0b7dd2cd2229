import { FunctionRegistry, type FunctionEntry, type FunctionOwner } from '../../../../src/engine/core/function-registry';

const A: FunctionOwner = { kind: 'connection', workerId: 'a' };
const B: FunctionOwner = { kind: 'connection', workerId: 'b' };

function entry(id: string, owner: FunctionOwner): FunctionEntry {
  return { id, owner, handler: () => owner };
}

describe('FunctionRegistry', () => {
  it('lets the last registration of an id win and take ownership', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    expect(registry.get('f')?.owner).toBe(B);
    expect(registry.list()).toHaveLength(1);
  });

  it('does not remove an id on behalf of a worker that no longer owns it', () => {
    const registry = new FunctionRegistry();
    registry.register(entry('f', A));
    registry.register(entry('f', B));
    expect(registry.unregister('f', A)).toBe(false);
    expect(registry.removeOwnedBy('a')).toEqual([]);
    expect(registry.has('f')).toBe(true);
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
