import { Controller, ForbiddenException, Module, OnStreamJoin, OnStreamLeave, Test } from '../../../../src/framework';

let answer: () => unknown = () => undefined;
const left: unknown[] = [];

@Controller('chat')
class ChatSubscriptions {
  @OnStreamJoin({ stream: 'chat' })
  join() {
    return answer();
  }
  @OnStreamLeave({ stream: 'chat' })
  leave(e: unknown) {
    left.push(e);
  }
}
@Module({ controllers: [ChatSubscriptions] })
class M {}

const joinEvent = (stream = 'chat') => ({ subscription_id: 's1', stream_name: stream, group_id: 'room', id: null, context: null });

async function join(payload = joinEvent()) {
  const ref = await Test.createTestingModule({ imports: [M] }).compile();
  return ref.definition('chat::join').invoke(payload);
}

describe('stream:join / stream:leave adapters', () => {
  it.each([
    ['undefined', undefined, { unauthorized: false }],
    ['true', true, { unauthorized: false }],
    ['false', false, { unauthorized: true }],
    ['an explicit answer', { unauthorized: true }, { unauthorized: true }],
  ])('answers a join handler returning %s', async (_what, value, expected) => {
    answer = () => value;
    expect(await join()).toEqual(expected);
  });

  it('refuses the subscription when the handler throws (fails closed)', async () => {
    answer = () => {
      throw new ForbiddenException();
    };
    expect(await join()).toEqual({ unauthorized: true });
    answer = () => {
      throw new Error('bug');
    };
    expect(await join()).toEqual({ unauthorized: true });
  });

  it('lets other streams through without calling the handler', async () => {
    answer = () => false;
    expect(await join(joinEvent('other'))).toEqual({ unauthorized: false });
  });

  it('passes leave events of its stream only', async () => {
    const ref = await Test.createTestingModule({ imports: [M] }).compile();
    await ref.definition('chat::leave').invoke(joinEvent('other'));
    await ref.definition('chat::leave').invoke(joinEvent('chat'));
    expect(left).toEqual([joinEvent('chat')]);
  });
});
