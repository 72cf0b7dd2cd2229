import { TriggerAction, type IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { III_CLIENT, QUEUE_ROUTES } from '../tokens';

export interface EnqueueReceipt {
  messageReceiptId: string;
}

/**
 * Enqueues work for an `@OnQueue` function (`TriggerAction.Enqueue`). Needs a queue provider in the
 * engine; without one the call rejects with `enqueue_error`.
 */
@Injectable()
export class Queue {
  constructor(
    @Inject(III_CLIENT) private readonly iii: IIIClient,
    @Inject(QUEUE_ROUTES) private readonly routes: ReadonlyMap<string, string> = new Map(),
  ) {}

  /**
   * Stores a job for `functionId` on `queue`: by default the queue its `@OnQueue('name')` names, else
   * `default`. The queue's engine settings decide retries and backoff.
   */
  enqueue<D>(functionId: string, data: D, queue?: string): Promise<EnqueueReceipt> {
    if (typeof functionId !== 'string' || functionId === '') throw new TypeError('functionId must be a non-empty string');
    queue ??= this.routes.get(functionId) ?? 'default';
    return this.iii.trigger<D, EnqueueReceipt>({
      function_id: functionId,
      payload: data,
      action: TriggerAction.Enqueue({ queue }),
    });
  }
}
