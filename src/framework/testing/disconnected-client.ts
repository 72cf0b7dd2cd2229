import type { IIIClient } from 'iii-sdk';
import { FrameworkError } from '../errors';

function noClient(): FrameworkError {
  return new FrameworkError(
    'NO_CLIENT',
    'This testing module has no iii client: override III_CLIENT (e.g. with test/fakes/fake-iii) or the service that needs it, or boot the module with createTestApp()',
  );
}

/** The III_CLIENT of a testing module unless overridden: any use fails with a clear error. */
export const disconnectedClient: IIIClient = {
  registerFunction: () => {
    throw noClient();
  },
  registerTrigger: () => {
    throw noClient();
  },
  registerTriggerType: () => {
    throw noClient();
  },
  unregisterTriggerType: () => {
    throw noClient();
  },
  trigger: () => Promise.reject(noClient()),
  shutdown: () => Promise.resolve(),
};
