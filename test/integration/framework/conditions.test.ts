import { TriggerAction } from 'iii-sdk';
import {
  Controller,
  Fn,
  Module,
  OnQueue,
  OnStateChange,
  Queue,
  Test,
  createTestApp,
  StateService,
  III_CLIENT,
} from '../../../src/framework';
import type { StateChangeEvent } from '../../../src/framework';
import { FakeIII } from '../../fakes/fake-iii';
import { waitFor } from '../support/engine';

interface Item {
  done: boolean;
}
const seen: string[] = [];

@Controller('items')
class ItemsReactions {
  /** A predicate: the framework registers it as `items::on-done::condition`. */
  @OnStateChange('items', { condition: (e) => (e as StateChangeEvent<Item>).new_value?.done === true })
  onDone(e: StateChangeEvent<Item>) {
    seen.push(`done:${e.key}`);
  }

  /** A condition given by function id: another function of the app decides. */
  @OnStateChange('items', { condition: 'items::is-urgent' })
  onUrgent(e: StateChangeEvent<Item>) {
    seen.push(`urgent:${e.key}`);
  }

  @Fn('items::is-urgent')
  isUrgent(e: StateChangeEvent<Item>) {
    return e.key.startsWith('urgent-');
  }
}
@Module({ controllers: [ItemsReactions] })
class ItemsModule {}

describe('@OnStateChange condition (the engine evaluates condition_function_id)', () => {
  it('registers a predicate as a function and names it, or passes a function id through', async () => {
    const ref = await Test.createTestingModule({ imports: [ItemsModule] }).compile();
    expect(ref.definition('items::on-done').config).toEqual({ scope: 'items', condition_function_id: 'items::on-done::condition' });
    expect(await ref.definition('items::on-done::condition').invoke({ new_value: { done: false } })).toBe(false);
    expect(ref.definition('items::on-urgent').config).toEqual({ scope: 'items', condition_function_id: 'items::is-urgent' });
  });

  it('runs the method only when its condition holds, on the embedded engine', async () => {
    const t = await createTestApp(ItemsModule);
    try {
      const items = t.app.get(StateService).scope<Item>('items');
      await items.set('a', { done: false });
      await items.set('urgent-b', { done: false });
      await items.set('c', { done: true });
      await waitFor(() => seen.includes('done:c') && seen.includes('urgent:urgent-b'), { description: 'the conditioned reactions' });
      await items.set('d', { done: true }); // a write after the others: once it is seen, every earlier verdict is in
      await waitFor(() => seen.includes('done:d'), { description: 'the last reaction' });
      expect(seen.sort()).toEqual(['done:c', 'done:d', 'urgent:urgent-b']);
    } finally {
      await t.close();
    }
  });
});

describe('@OnQueue(queue)', () => {
  @Controller('mail')
  class Mailer {
    @OnQueue('emails') send() {}
    @OnQueue() other() {}
  }
  @Module({ controllers: [Mailer] })
  class MailModule {}

  it('is the queue Queue.enqueue uses for that function unless told otherwise', async () => {
    const fake = new FakeIII();
    const ref = await Test.createTestingModule({ imports: [MailModule] })
      .overrideProvider(III_CLIENT)
      .useValue(fake)
      .compile();
    ref.definitions();
    const queue = ref.get(Queue);
    await queue.enqueue('mail::send', { to: 'a' });
    await queue.enqueue('mail::other', {});
    await queue.enqueue('mail::send', {}, 'priority');
    expect(fake.calls.map((c) => c.action)).toEqual([
      TriggerAction.Enqueue({ queue: 'emails' }),
      TriggerAction.Enqueue({ queue: 'default' }),
      TriggerAction.Enqueue({ queue: 'priority' }),
    ]);
  });
});
