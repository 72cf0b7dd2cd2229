import {
  Cron,
  Fn,
  OnQueue,
  OnStateChange,
  OnStreamChange,
  OnStreamJoin,
  OnStreamLeave,
  Stream,
  Subscribe,
} from '../../../../src/framework';
import { readStreamPublish, readTriggers } from '../../../../src/framework/metadata/reflection';
import type { StateTriggerMeta } from '../../../../src/framework/metadata/types';
import { stateAdapter } from '../../../../src/framework/triggers/state';
import { thrownCode } from '../../../support/errors';

const codeOf = thrownCode;

describe('@OnStateChange', () => {
  it('records scope, key and normalized event names', () => {
    class R {
      @OnStateChange('todos', { key: 'k1', events: ['created', 'state:deleted'], functionId: 'r::x' })
      onTodo(): void {}
    }
    expect(readTriggers(R)).toEqual([
      { kind: 'state', method: 'onTodo', scope: 'todos', key: 'k1', events: ['state:created', 'state:deleted'], functionId: 'r::x' },
    ]);
  });

  it('records a reaction concurrency, which the state adapter puts in the trigger config', () => {
    class R {
      @OnStateChange('todos', { concurrency: 64, retry: { maxAttempts: 2 } })
      mirror(): void {}
    }
    const [meta] = readTriggers(R);
    expect(meta).toEqual({ kind: 'state', method: 'mirror', scope: 'todos', concurrency: 64, retry: { max_attempts: 2 } });
    expect(stateAdapter.config(meta as StateTriggerMeta, 'r')).toEqual({ scope: 'todos', retry: { max_attempts: 2 }, concurrency: 64 });
  });

  it.each([
    ['a concurrency of 0', () => OnStateChange('s', { concurrency: 0 })],
    ['a fractional concurrency', () => OnStateChange('s', { concurrency: 2.5 })],
    ['a concurrency given as text', () => OnStateChange('s', { concurrency: '8' as never })],
    ['an empty scope', () => OnStateChange('')],
    ['an unknown event', () => OnStateChange('s', { events: ['changed' as never] })],
    ['an empty event list', () => OnStateChange('s', { events: [] })],
    ['an unknown option', () => OnStateChange('s', { scope: 'x' } as never)],
  ])('rejects %s', (_what, make) => {
    expect(codeOf(make)).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});

describe('@Stream', () => {
  it('records the publication next to the trigger', () => {
    const group = (): string => 'g';
    class R {
      @OnStateChange('todos')
      @Stream('todos-live', { group, mode: 'item' })
      mirror(): void {}
    }
    expect(readStreamPublish(R)).toEqual([{ method: 'mirror', streamName: 'todos-live', options: { group, mode: 'item' } }]);
    expect(readTriggers(R)).toHaveLength(1);
  });

  it.each([
    ['an empty stream name', () => Stream('', { group: 'g', mode: 'event' })],
    ['a missing group', () => Stream('s', { mode: 'event' } as never)],
    ['an unknown mode', () => Stream('s', { group: 'g', mode: 'items' as never })],
    ['a non-function id', () => Stream('s', { group: 'g', mode: 'item', id: 'id' as never })],
    ['type with item mode', () => Stream('s', { group: 'g', mode: 'item', type: 't' })],
    ['delete with event mode', () => Stream('s', { group: 'g', mode: 'event', delete: () => true })],
    ['an unknown option', () => Stream('s', { group: 'g', mode: 'event', upsert: true } as never)],
  ])('rejects %s', (_what, make) => {
    expect(codeOf(make)).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});

describe('stream triggers', () => {
  it('records @OnStreamChange with group and item', () => {
    class R {
      @OnStreamChange('chat', { group: 'room-1', item: 'm1' })
      onChat(): void {}
    }
    expect(readTriggers(R)).toEqual([{ kind: 'stream', method: 'onChat', streamName: 'chat', group: 'room-1', item: 'm1' }]);
  });

  it('records join and leave, optionally for one stream', () => {
    class R {
      @OnStreamJoin({ stream: 'chat' }) join(): void {}
      @OnStreamLeave() leave(): void {}
    }
    expect(readTriggers(R)).toEqual([
      { kind: 'stream:join', method: 'join', streamName: 'chat' },
      { kind: 'stream:leave', method: 'leave' },
    ]);
  });

  it('rejects an empty stream name', () => {
    expect(codeOf(() => OnStreamChange(''))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => OnStreamJoin({ stream: '' }))).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});

describe('@Cron', () => {
  it('accepts 6 and 7 fields with seconds first', () => {
    class R {
      @Cron('*/5 * * * * *') a(): void {}
      @Cron('0 0 12 * * MON-FRI 2030') b(): void {}
    }
    expect(readTriggers(R).map((t) => (t.kind === 'cron' ? t.expression : ''))).toEqual(['*/5 * * * * *', '0 0 12 * * MON-FRI 2030']);
  });

  it.each([
    ['a 5-field crontab line', '*/5 * * * *'],
    ['an 8-field line', '0 0 0 * * * * *'],
    ['an empty expression', ''],
    ['stray characters', '0 0 0 * * ; rm'],
  ])('rejects %s', (_what, expression) => {
    expect(codeOf(() => Cron(expression))).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});

describe('@Subscribe, @OnQueue, @Fn', () => {
  it('record their kind', () => {
    class R {
      @Subscribe('orders.created') onOrder(): void {}
      @OnQueue('emails') send(): void {}
      @OnQueue() anyQueue(): void {}
      @Fn('math::add') add(): void {}
      @Fn() plain(): void {}
    }
    expect(readTriggers(R)).toEqual([
      { kind: 'subscribe', method: 'onOrder', topic: 'orders.created' },
      { kind: 'queue', method: 'send', queue: 'emails' },
      { kind: 'queue', method: 'anyQueue' },
      { kind: 'fn', method: 'add', functionId: 'math::add' },
      { kind: 'fn', method: 'plain' },
    ]);
  });

  it('@OnQueue records a retry policy and refuses a wrong one where it is written', () => {
    class R {
      @OnQueue('emails', { retry: { maxAttempts: 5, backoffMs: 200 } }) send(): void {}
    }
    expect(readTriggers(R)).toEqual([{ kind: 'queue', method: 'send', queue: 'emails', retry: { maxAttempts: 5, backoffMs: 200 } }]);
    expect(codeOf(() => OnQueue('q', { retry: { maxAttempts: 0 } }))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => OnQueue('q', { retry: { backoffMs: -1 } }))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => OnQueue('q', { retry: { attempts: 2 } as never }))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => OnQueue('q', { retries: 2 } as never))).toBe('INVALID_DECORATOR_ARGUMENT');
  });

  it('reject empty names', () => {
    expect(codeOf(() => Subscribe(''))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => OnQueue(''))).toBe('INVALID_DECORATOR_ARGUMENT');
    expect(codeOf(() => Fn(''))).toBe('INVALID_DECORATOR_ARGUMENT');
  });
});
