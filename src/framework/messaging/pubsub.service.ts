import type { IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { III_CLIENT } from '../tokens';

/** Publishes to iii pub/sub topics (`publish`); `@Subscribe(topic)` methods receive the data. */
@Injectable()
export class PubSub {
  constructor(@Inject(III_CLIENT) private readonly iii: IIIClient) {}

  async publish<D>(topic: string, data: D): Promise<void> {
    if (typeof topic !== 'string' || topic === '') throw new TypeError('topic must be a non-empty string');
    await this.iii.trigger({ function_id: 'publish', payload: { topic, data } });
  }
}
