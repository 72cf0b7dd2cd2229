import type { IIIClient } from 'iii-sdk';
import { classRecipe, valueRecipe, type ProviderRecipe } from '../container/providers';
import type { Logger } from '../logger';
import { PubSub } from '../messaging/pubsub.service';
import { Queue } from '../messaging/queue.service';
import { StateService } from '../state/state.service';
import { StreamService } from '../streams/stream.service';
import { III_CLIENT, LOGGER } from '../tokens';

/** What every module can inject without importing anything. */
export function coreRecipes(client: () => IIIClient, logger: Logger): ProviderRecipe[] {
  // The client is read when providers are built: the module graph is checked before any engine starts.
  const clientRecipe: ProviderRecipe = { token: III_CLIENT, consumer: 'III_CLIENT', deps: [], build: client, async: false };
  return [
    clientRecipe,
    valueRecipe(LOGGER, logger),
    classRecipe(StateService, StateService),
    classRecipe(StreamService, StreamService),
    classRecipe(PubSub, PubSub),
    classRecipe(Queue, Queue),
  ];
}
