import { describe, expect, it } from 'vitest';

import { apiErrorOf } from '../api/errors';
import {
  actionErrorOf,
  inboxFrameOf,
  type InboxItem,
  noticeOf,
  sortInbox,
  sourceNames,
  typingAfter,
  typingFrame,
} from './inbox';

const item = (id: string, requested: string | null, updated: string) =>
  ({
    id,
    handoff_requested_at: requested,
    updated_at: updated,
    messages: [],
  }) as unknown as InboxItem;

describe('inbox', () => {
  it('lists conversations the longest waiting first', () => {
    const items = [
      item('b', '2026-12-06T10:05:00Z', '2026-12-06T10:00:00Z'),
      item('a', '2026-12-06T10:01:00Z', '2026-12-06T10:09:00Z'),
      item('c', null, '2026-12-06T10:03:00Z'),
    ];
    expect(sortInbox(items).map(({ id }) => id)).toEqual(['a', 'c', 'b']);
  });

  it('names each cited document once', () => {
    const message = {
      sources: [{ filename: 'shipping.md' }, { filename: 'faq.pdf' }, { filename: 'shipping.md' }],
    } as unknown as InboxItem['messages'][number];
    expect(sourceNames(message)).toEqual(['shipping.md', 'faq.pdf']);
  });

  it('reads the socket’s frames and ignores what it does not know', () => {
    const waiting = inboxFrameOf(
      JSON.stringify({ type: 'conversation.waiting', conversation: { id: 'c1', title: 'Parcel' } }),
    );
    expect(waiting).toEqual({
      type: 'conversation.waiting',
      conversationId: 'c1',
      title: 'Parcel',
    });
    expect(noticeOf(waiting)).toBe('New conversation waiting for a person: Parcel');
    expect(
      inboxFrameOf('{"type":"typing","conversation_id":"c1","is_typing":true,"from":"user"}'),
    ).toEqual({ type: 'typing', conversationId: 'c1', isTyping: true, from: 'user' });
    expect(inboxFrameOf('{"type":"message","conversation_id":"c1","message":{}}')).toEqual({
      type: 'message',
      conversationId: 'c1',
    });
    expect(inboxFrameOf('not json')).toEqual({ type: 'other' });
    expect(inboxFrameOf('{"type":"typing"}')).toEqual({ type: 'other' });
    expect(inboxFrameOf('{"type":"pong"}')).toEqual({ type: 'other' });
    expect(noticeOf({ type: 'message', conversationId: 'c1' })).toBeUndefined();
  });

  it('tracks who is typing: the customer’s frames, cleared by a message', () => {
    let typing = typingAfter(new Set(), {
      type: 'typing',
      conversationId: 'c1',
      isTyping: true,
      from: 'user',
    });
    expect([...typing]).toEqual(['c1']);
    typing = typingAfter(typing, {
      type: 'typing',
      conversationId: 'c2',
      isTyping: true,
      from: 'agent',
    });
    expect([...typing]).toEqual(['c1']);
    typing = typingAfter(typing, { type: 'message', conversationId: 'c1' });
    expect(typing.size).toBe(0);
  });

  it('writes the agent’s typing frame as the socket takes it', () => {
    expect(JSON.parse(typingFrame('c1', false))).toEqual({
      type: 'typing',
      conversation_id: 'c1',
      is_typing: false,
    });
  });

  it('says a lost claim race in words, other errors with the API’s message', () => {
    expect(actionErrorOf(apiErrorOf(409, { code: 'ALREADY_CLAIMED', message: 'taken' }))).toBe(
      'Already claimed by someone else.',
    );
    expect(
      actionErrorOf(apiErrorOf(409, { code: 'NOT_ASSIGNED', message: 'Claim it first' })),
    ).toBe('Claim it first');
  });
});
