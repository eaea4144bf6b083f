import { ApiError, messageOf } from '../api/errors';
import type { operations } from '../api/schema';

/** The agent inbox (README "Human handoff"): `GET /api/v1/inbox`, claim, reply, release, close. */
type InboxPage =
  operations['InboxController_list']['responses'][200]['content']['application/json'];
export type InboxItem = InboxPage['items'][number];
export type InboxMessage = InboxItem['messages'][number];
export type ConversationStatus = InboxItem['status'];

/** The conversations, the longest waiting first (by the time a person was asked for). */
export function sortInbox(items: readonly InboxItem[]): InboxItem[] {
  const since = (item: InboxItem) => item.handoff_requested_at ?? item.updated_at;
  return [...items].sort((a, b) => since(a).localeCompare(since(b)));
}

/** The names of the documents a message cited, each once. */
export function sourceNames(message: InboxMessage): string[] {
  return [...new Set(message.sources.map((source) => source.filename))];
}

/** What the inbox socket sends (`WS /api/v1/inbox/ws`), as far as the console uses it. */
export type InboxFrame =
  | {
      type:
        | 'conversation.waiting'
        | 'conversation.claimed'
        | 'conversation.released'
        | 'conversation.closed';
      conversationId: string;
      title: string;
    }
  | { type: 'message'; conversationId: string }
  | { type: 'typing'; conversationId: string; isTyping: boolean; from: string }
  | { type: 'other' };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const CONVERSATION_EVENTS = new Set([
  'conversation.waiting',
  'conversation.claimed',
  'conversation.released',
  'conversation.closed',
]);

/** One frame of the inbox socket, read defensively (anything unknown is `other`). */
export function inboxFrameOf(data: string): InboxFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return { type: 'other' };
  }
  if (!isObject(frame) || typeof frame.type !== 'string') {
    return { type: 'other' };
  }
  if (CONVERSATION_EVENTS.has(frame.type) && isObject(frame.conversation)) {
    const { id, title } = frame.conversation;
    if (typeof id === 'string') {
      return {
        type: frame.type as 'conversation.waiting',
        conversationId: id,
        title: typeof title === 'string' && title ? title : 'A conversation',
      };
    }
  }
  if (typeof frame.conversation_id !== 'string') {
    return { type: 'other' };
  }
  if (frame.type === 'message') {
    return { type: 'message', conversationId: frame.conversation_id };
  }
  if (frame.type === 'typing') {
    return {
      type: 'typing',
      conversationId: frame.conversation_id,
      isTyping: frame.is_typing === true,
      from: typeof frame.from === 'string' ? frame.from : 'user',
    };
  }
  return { type: 'other' };
}

/** The agent's own typing frame for the customer's chat. */
export function typingFrame(conversationId: string, isTyping: boolean): string {
  return JSON.stringify({ type: 'typing', conversation_id: conversationId, is_typing: isTyping });
}

/** Which conversations' customers are typing now, after a frame. */
export function typingAfter(typing: ReadonlySet<string>, frame: InboxFrame): Set<string> {
  const next = new Set(typing);
  if (frame.type === 'typing' && frame.from !== 'agent') {
    if (frame.isTyping) {
      next.add(frame.conversationId);
    } else {
      next.delete(frame.conversationId);
    }
  } else if (frame.type === 'message' || frame.type.startsWith('conversation.')) {
    next.delete((frame as { conversationId: string }).conversationId);
  }
  return next;
}

/** The words of the aria-live notice a frame deserves, if any. */
export function noticeOf(frame: InboxFrame): string | undefined {
  return frame.type === 'conversation.waiting'
    ? `New conversation waiting for a person: ${frame.title}`
    : undefined;
}

export const ROLE_LABELS: Record<InboxMessage['role'], string> = {
  user: 'Customer',
  assistant: 'Bot',
  agent: 'Agent',
  system: 'Notice',
};

/** The words for a failed inbox action; a lost claim race says so plainly. */
export function actionErrorOf(failure: unknown): string {
  if (failure instanceof ApiError && failure.code === 'ALREADY_CLAIMED') {
    return 'Already claimed by someone else.';
  }
  return messageOf(failure);
}
