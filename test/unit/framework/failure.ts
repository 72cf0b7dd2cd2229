import type { FrameworkError } from '../../../src/framework/errors';

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<FrameworkError> {
  try {
    await promise;
  } catch (e) {
    return e as FrameworkError;
  }
  throw new Error('expected a failure');
}
