import { announcement } from '../../../../../../src/engine/workers/stream/bridge/stream-announce';

const item = { stream_name: 's', group_id: 'g', item_id: 'i' };

describe('announcement (the stream.events message of a forwarded write)', () => {
  it('is a create for a set without previous value and an update otherwise', () => {
    expect(announcement('stream::set', { ...item, data: 1 }, { old_value: null, new_value: 1 })?.event).toEqual({
      type: 'create',
      data: 1,
    });
    expect(announcement('stream::update', { ...item, ops: [] }, { old_value: 1, new_value: 2 })?.event).toEqual({
      type: 'update',
      data: 2,
    });
  });

  it('is a delete carrying the old value, and nothing when nothing was deleted', () => {
    expect(announcement('stream::delete', item, { old_value: { a: 1 } })).toMatchObject({
      id: 'i',
      event: { type: 'delete', data: { a: 1 } },
    });
    expect(announcement('stream::delete', item, { old_value: null })).toBeUndefined();
  });

  it('is a custom event for send, with a null id when none was given', () => {
    expect(announcement('stream::send', { stream_name: 's', group_id: 'g', type: 'typing', data: { who: 'a' } }, null)).toMatchObject({
      streamName: 's',
      groupId: 'g',
      id: null,
      event: { type: 'event', event: { type: 'typing', data: { who: 'a' } } },
    });
  });

  it('is nothing for reads and for answers of an unexpected shape', () => {
    expect(announcement('stream::get', item, { v: 1 })).toBeUndefined();
    expect(announcement('stream::list', { stream_name: 's', group_id: 'g' }, [])).toBeUndefined();
    expect(announcement('stream::set', { ...item, data: 1 }, 'odd')).toBeUndefined();
    expect(announcement('stream::set', { ...item, data: 1 }, { old_value: null })).toBeUndefined();
  });
});
