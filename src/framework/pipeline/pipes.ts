import type { ArgumentMetadata, PipeTransform } from './types';

export type PipeChain = (value: unknown) => Promise<unknown>;

/**
 * One parameter's pipes in order (global, controller, method, then the parameter's own), each
 * given the previous one's output. `null` when there is nothing to run.
 */
export function buildPipeChain(pipes: readonly PipeTransform[], metadata: ArgumentMetadata): PipeChain | null {
  if (pipes.length === 0) return null;
  return async (value) => {
    let current = value;
    for (const pipe of pipes) {
      current = pipe.transform(current, metadata);
      if (current instanceof Promise) current = await current;
    }
    return current;
  };
}
