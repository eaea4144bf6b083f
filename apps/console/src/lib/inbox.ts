/**
 * The agent inbox as API.md describes it (#16b: `GET /api/v1/inbox`, claim, reply, release,
 * close). Its answers are read defensively: the routes are not on this branch yet.
 */
export type ConversationStatus = 'bot' | 'waiting_human' | 'human' | 'closed';

export interface InboxItem {
  id: string;
  status: ConversationStatus | string;
  channel: string | null;
  assignedAgentId: string | null;
  title: string;
  waitingSince: string | null;
}

export interface TranscriptMessage {
  id: string;
  role: 'user' | 'assistant' | 'agent' | 'system' | string;
  content: string;
  internal: boolean;
  sources: string[];
  createdAt: string | null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The list of a page (`{items}`), a bare array, or nothing. */
function listOf(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) {
    return body;
  }
  if (isObject(body) && Array.isArray(body[key])) {
    return body[key] as unknown[];
  }
  return [];
}

/** The inbox's conversations, the longest waiting first. */
export function inboxItemsOf(body: unknown): InboxItem[] {
  return listOf(body, 'items')
    .filter(isObject)
    .filter((item) => typeof item.id === 'string')
    .map((item) => ({
      id: item.id as string,
      status: text(item.status) ?? 'waiting_human',
      channel: text(item.channel),
      assignedAgentId: text(item.assigned_agent_id),
      title: text(item.title) ?? text(item.last_message) ?? 'Conversation',
      waitingSince:
        text(item.handoff_requested_at) ?? text(item.updated_at) ?? text(item.created_at),
    }))
    .sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? ''));
}

/** A conversation's messages in order, with the sources the bot cited. */
export function transcriptOf(body: unknown): TranscriptMessage[] {
  return listOf(body, 'messages')
    .filter(isObject)
    .map((message, index) => ({
      id: text(message.id) ?? `m${index}`,
      role: text(message.role) ?? 'user',
      content: text(message.content) ?? '',
      internal: message.internal === true,
      sources: listOf(message.sources, 'sources')
        .filter(isObject)
        .map((source) => text(source.filename) ?? text(source.title) ?? text(source.url) ?? '')
        .filter(Boolean),
      createdAt: text(message.created_at),
    }));
}

export const ROLE_LABELS: Record<string, string> = {
  user: 'Customer',
  assistant: 'Bot',
  agent: 'Agent',
  system: 'Note',
};
