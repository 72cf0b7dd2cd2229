/** The `stream::*` functions registered on the shared fake engine, with the change events they emit. */
import { DEFAULT_EVENT_LOG } from '../../../../../src/engine/workers/stream/config';
import { StreamEventLog } from '../../../../../src/engine/workers/stream/event-log';
import { registerStreamFunctions } from '../../../../../src/engine/workers/stream/functions';
import { StreamOperations } from '../../../../../src/engine/workers/stream/operations';
import { StreamStore } from '../../../../../src/engine/workers/stream/store';
import type { StreamChangeEvent, StreamFrame } from '../../../../../src/engine/workers/stream/types';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

export function setupStreamFunctions(): { ctx: FakeEngineContext; events: Array<StreamFrame<StreamChangeEvent>> } {
  const ctx = new FakeEngineContext();
  const events: Array<StreamFrame<StreamChangeEvent>> = [];
  const log = new StreamEventLog(ctx.storage.database, DEFAULT_EVENT_LOG);
  const operations = new StreamOperations({ context: ctx, store: new StreamStore(ctx.kv), log, publish: (f) => events.push(f) });
  registerStreamFunctions(ctx, operations);
  return { ctx, events };
}
