import { TriggerAction, type IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { III_CLIENT } from '../tokens';

export interface EnqueueReceipt {
  messageReceiptId: string;
}

/**
 * Enqueues work for an `@OnQueue` function (`TriggerAction.Enqueue`). Needs a queue provider in the
 * engine; without one the call rejects with `enqueue_error`.
 */
@Injectable()
export class Queue {
  constructor(@Inject(III_CLIENT) private readonly iii: IIIClient) {}

  enqueue<D>(functionId: string, data: D, queue = 'default'): Promise<EnqueueReceipt> {
    if (typeof functionId !== 'string' || functionId === '') throw new TypeError('functionId must be a non-empty string');
    return this.iii.trigger<D, EnqueueReceipt>({
      function_id: functionId,
      payload: data,
      action: TriggerAction.Enqueue({ queue }),
    });
  }
}
