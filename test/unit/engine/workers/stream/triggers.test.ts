import type { TriggerRecord } from '../../../../../src/engine/core/types';
import { parseStreamTriggerConfig, StreamTriggers } from '../../../../../src/engine/workers/stream/triggers';
import { streamMessage } from '../../../../../src/engine/workers/stream/types';

function record(id: string, config: unknown, trigger_type = 'stream'): TriggerRecord {
  return { id, trigger_type, function_id: `fn::${id}`, config };
}

async function registerAll(triggers: StreamTriggers, records: TriggerRecord[]): Promise<void> {
  const types = new Map(triggers.types().map((t) => [t.id, t]));
  for (const r of records) await types.get(r.trigger_type)?.provider.register(r);
}

const create = { type: 'create', data: 1 } as const;

describe('stream trigger config', () => {
  it('requires stream_name', () => {
    expect(() => parseStreamTriggerConfig({ group_id: 'g' })).toThrow(/missing field `stream_name`/);
    expect(() => parseStreamTriggerConfig('x')).toThrow(/Failed to deserialize stream trigger/);
  });

  it('treats empty group and item filters as absent', () => {
    expect(parseStreamTriggerConfig({ stream_name: 's', group_id: '', item_id: null })).toEqual({
      streamName: 's',
      groupId: undefined,
      itemId: undefined,
    });
  });

  it('refuses a non-string filter', () => {
    expect(() => parseStreamTriggerConfig({ stream_name: 's', item_id: 3 })).toThrow(/`item_id`/);
  });
});

describe('StreamTriggers', () => {
  it('matches on stream, then group and item when set', async () => {
    const triggers = new StreamTriggers();
    await registerAll(triggers, [
      record('all', { stream_name: 's' }),
      record('group', { stream_name: 's', group_id: 'g' }),
      record('item', { stream_name: 's', group_id: 'g', item_id: 'i' }),
      record('other', { stream_name: 'x' }),
    ]);
    const ids = (group: string, id: string | null): string[] => triggers.matching(streamMessage('s', group, id, create)).map((t) => t.id);
    expect(ids('g', 'i')).toEqual(['all', 'group', 'item']);
    expect(ids('g', 'j')).toEqual(['all', 'group']);
    expect(ids('h', 'i')).toEqual(['all']);
    expect(ids('g', null)).toEqual(['all', 'group']);
  });

  it('replaces the binding when the same id registers again', async () => {
    const triggers = new StreamTriggers();
    await registerAll(triggers, [record('t', { stream_name: 'a' }), record('t', { stream_name: 'b' })]);
    expect(triggers.matching(streamMessage('a', 'g', null, create))).toEqual([]);
    expect(triggers.matching(streamMessage('b', 'g', null, create)).map((t) => t.id)).toEqual(['t']);
  });

  it('forgets unregistered triggers', async () => {
    const triggers = new StreamTriggers();
    const r = record('t', { stream_name: 'a' });
    await registerAll(triggers, [r]);
    const stream = triggers.types().find((t) => t.id === 'stream');
    await stream?.provider.unregister(r);
    expect(triggers.matching(streamMessage('a', 'g', null, create))).toEqual([]);
  });

  it('keeps join and leave triggers whatever their config', async () => {
    const triggers = new StreamTriggers();
    await registerAll(triggers, [record('j', { stream_name: 'ignored' }, 'stream:join'), record('l', null, 'stream:leave')]);
    expect(triggers.joinTriggers().map((t) => t.id)).toEqual(['j']);
    expect(triggers.leaveTriggers().map((t) => t.id)).toEqual(['l']);
    const join = triggers.types().find((t) => t.id === 'stream:join');
    await join?.provider.unregister(record('j', null, 'stream:join'));
    expect(triggers.joinTriggers()).toEqual([]);
  });
});
