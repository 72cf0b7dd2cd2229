import { PubSub, Queue, StreamService } from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

describe('StreamService', () => {
  function setup() {
    const fake = new FakeIII();
    return { fake, live: new StreamService(fake).stream<{ id: string }>('todos-live') };
  }

  it('maps item operations to stream::* calls', async () => {
    const { fake, live } = setup();
    await live.set('all', 't1', { id: 't1' });
    await live.get('all', 't1');
    await live.update('all', 't1', [{ type: 'merge', value: { x: 1 } }]);
    await live.list('all');
    await live.delete('all', 't1');
    expect(fake.calls).toEqual([
      { function_id: 'stream::set', payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1', data: { id: 't1' } } },
      { function_id: 'stream::get', payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1' } },
      {
        function_id: 'stream::update',
        payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1', ops: [{ type: 'merge', value: { x: 1 } }] },
      },
      { function_id: 'stream::list', payload: { stream_name: 'todos-live', group_id: 'all' } },
      { function_id: 'stream::delete', payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1' } },
    ]);
  });

  it('unwraps stream::delete old_value and normalizes absent answers', async () => {
    const { fake, live } = setup();
    fake.respondTo('stream::delete', () => ({ old_value: { id: 't1' } }));
    expect(await live.delete('all', 't1')).toEqual({ id: 't1' });
    fake.respondTo('stream::delete', () => ({ old_value: null }));
    expect(await live.delete('all', 't1')).toBeUndefined();
    expect(await live.get('all', 'missing')).toBeUndefined();
    expect(await live.list('all')).toEqual([]);
  });

  it('sends custom events with stream::send, with the id only when given', async () => {
    const { fake, live } = setup();
    await live.send('all', { type: 'ping', data: 1 });
    await live.send('all', { type: 'ping', data: 2, id: 't1' });
    expect(fake.calls.map((c) => c.payload)).toEqual([
      { stream_name: 'todos-live', group_id: 'all', type: 'ping', data: 1 },
      { stream_name: 'todos-live', group_id: 'all', type: 'ping', data: 2, id: 't1' },
    ]);
  });

  it('lists groups in either answer shape', async () => {
    const { fake, live } = setup();
    fake.respondTo('stream::list_groups', () => ['a']);
    expect(await live.listGroups()).toEqual(['a']);
  });
});

describe('PubSub and Queue', () => {
  it('publishes through the publish function', async () => {
    const fake = new FakeIII();
    await new PubSub(fake).publish('orders', { id: 1 });
    expect(fake.calls).toEqual([{ function_id: 'publish', payload: { topic: 'orders', data: { id: 1 } } }]);
  });

  it('enqueues with TriggerAction.Enqueue and returns the receipt', async () => {
    const fake = new FakeIII().respondTo('mail::send', () => ({ messageReceiptId: 'r-1' }));
    expect(await new Queue(fake).enqueue('mail::send', { to: 'a' }, 'mail')).toEqual({ messageReceiptId: 'r-1' });
    expect(fake.calls[0]).toEqual({ function_id: 'mail::send', payload: { to: 'a' }, action: { type: 'enqueue', queue: 'mail' } });
  });

  it('refuses empty topics and function ids', async () => {
    const fake = new FakeIII();
    await expect(new PubSub(fake).publish('', 1)).rejects.toThrow(TypeError);
    expect(() => new Queue(fake).enqueue('', 1)).toThrow(TypeError);
  });
});
