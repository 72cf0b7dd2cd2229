import type { IIIClient } from 'iii-sdk';
import { classRecipe, factoryRecipe, valueRecipe, type ProviderRecipe } from '../container/providers';
import type { Logger } from '../logger';
import { PubSub } from '../messaging/pubsub.service';
import { Queue } from '../messaging/queue.service';
import { ReactionsService } from '../state/reactions.service';
import { StateService } from '../state/state.service';
import { EngineCapabilities } from './capabilities';
import { StreamService } from '../streams/stream.service';
import { ENGINE_URLS, III_CLIENT, LOGGER, QUEUE_ROUTES } from '../tokens';
import type { QueueRoute } from '../messaging/queue.service';
import type { EngineUrls } from './engine-connection';

/** What every module can inject without importing anything. */
export function coreRecipes(client: () => IIIClient, logger: Logger, urls: () => EngineUrls): ProviderRecipe[] {
  // Client and URLs are read when providers are built: the module graph is checked before any engine starts.
  return [
    factoryRecipe(III_CLIENT, client, [], 'CoreModule'),
    factoryRecipe(ENGINE_URLS, urls, [], 'CoreModule'),
    valueRecipe(LOGGER, logger),
    valueRecipe(QUEUE_ROUTES, new Map<string, QueueRoute>()),
    classRecipe(EngineCapabilities, EngineCapabilities),
    classRecipe(StateService, StateService),
    classRecipe(ReactionsService, ReactionsService),
    classRecipe(StreamService, StreamService),
    classRecipe(PubSub, PubSub),
    classRecipe(Queue, Queue),
  ];
}
