import { registerWorker, TriggerAction } from 'iii-sdk';
import { EngineError } from '../../src/engine/core/errors';

describe('toolchain', () => {
  it('resolves iii-sdk types and runs ts-jest', () => {
    expect(typeof registerWorker).toBe('function');
    expect(TriggerAction.Void()).toEqual({ type: 'void' });
    expect(new EngineError('NOT_FOUND', 'y').toBody()).toEqual({ code: 'NOT_FOUND', message: 'y' });
  });
});
