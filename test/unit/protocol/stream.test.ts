import { parseClientFrame, resumeFields } from '../../../src/protocol/stream';

describe('stream client frames', () => {
  it('reads a join with its resume fields', () => {
    const text = JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'n', groupId: 'g', since: 42, epoch: 'e1' } });
    expect(parseClientFrame(text)).toEqual({
      type: 'join',
      data: { subscriptionId: 's', streamName: 'n', groupId: 'g', id: null, since: 42, epoch: 'e1' },
    });
  });

  it('keeps a malformed since as -1, so the server answers with a gap sync instead of a replay', () => {
    for (const since of [-1, 1.5, 'abc', {}, Number.MAX_SAFE_INTEGER + 2]) {
      expect(resumeFields(since, undefined)).toEqual({ since: -1 });
    }
    expect(resumeFields('17', 'e')).toEqual({ since: 17, epoch: 'e' });
    expect(resumeFields(undefined, '')).toEqual({});
    expect(resumeFields(null, 5)).toEqual({});
  });

  it('ignores resume fields on a leave', () => {
    const text = JSON.stringify({ type: 'leave', data: { subscriptionId: 's', streamName: 'n', groupId: 'g', since: 3 } });
    expect(parseClientFrame(text)?.data).toEqual({ subscriptionId: 's', streamName: 'n', groupId: 'g', id: null });
  });
});
