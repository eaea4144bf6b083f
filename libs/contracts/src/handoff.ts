import { z } from 'zod';

import { CONVERSATION_STATUSES, conversationDetailSchema, MAX_MESSAGE_CHARS } from './chat';

/**
 * Human handoff, served by the chat service: a user or visitor asks for a person; agents
 * (role `agent` or `tenant_admin`) work the tenant's inbox. The tenant and the caller come
 * from the request context, never from the payload.
 */
export const HANDOFF = {
  /** `HandoffRequest` → `ConversationSummary` (`waiting_human`), by the conversation's owner. */
  REQUEST: 'chat.handoff.request',
  /** `InboxListRequest` → `InboxPage`: oldest request first, with transcripts. */
  INBOX_LIST: 'chat.inbox.list',
  /** `ConversationRef` → `ConversationSummary` (`human`), or 409 ALREADY_CLAIMED. */
  CLAIM: 'chat.inbox.claim',
  /** `AgentMessageRequest` → `ConversationMessage` (`agent`, or an internal `system` note). */
  AGENT_MESSAGE: 'chat.inbox.message',
  /** `ConversationRef` → `ConversationSummary` (`bot`): the bot answers again. */
  RELEASE: 'chat.inbox.release',
  /** `ConversationRef` → `ConversationSummary` (`closed`). */
  CLOSE: 'chat.inbox.close',
  /** `{}` → `HandoffSettings`: the tenant's handoff policy. */
  SETTINGS_GET: 'chat.handoff.settings.get',
  /** `HandoffSettingsUpdate` → `HandoffSettings` (tenant admin). */
  SETTINGS_UPDATE: 'chat.handoff.settings.update',
} as const;

/** Roles that work the inbox. */
export const INBOX_ROLES = ['tenant_admin', 'agent'] as const;

export const handoffRequestSchema = z.strictObject({
  id: z.uuid(),
  reason: z.string().trim().min(1).max(500).optional(),
});
export type HandoffRequest = z.output<typeof handoffRequestSchema>;

export const inboxListRequestSchema = z.strictObject({
  /** Default: both `waiting_human` and `human`. */
  status: z.enum(CONVERSATION_STATUSES).optional(),
  /** `me`: only the conversations the caller claimed. */
  assigned: z.literal('me').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type InboxListRequest = z.output<typeof inboxListRequestSchema>;

export const inboxItemSchema = conversationDetailSchema.extend({
  handoff_requested_at: z.string().nullable(),
  claimed_at: z.string().nullable(),
});
export type InboxItem = z.output<typeof inboxItemSchema>;

export const inboxPageSchema = z.object({
  items: z.array(inboxItemSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type InboxPage = z.output<typeof inboxPageSchema>;

export const agentMessageRequestSchema = z.strictObject({
  id: z.uuid(),
  content: z
    .string()
    .trim()
    .min(1)
    .max(MAX_MESSAGE_CHARS)
    .refine((content) => !content.includes('\0'), 'must not contain NUL characters'),
  /** A note for agents only (`role: "system"`), never shown to the user or visitor. */
  internal: z.boolean().default(false),
});
export type AgentMessageRequest = z.output<typeof agentMessageRequestSchema>;

const phrase = z.string().trim().min(3).max(100);

/** The tenant's handoff policy; a tenant that never set it has these defaults. */
export const handoffSettingsSchema = z.object({
  /** The tenant's own phrases asking for a person (whole words, case and accents ignored). */
  phrases: z.array(z.string()),
  /** Whether the platform's default phrases ("talk to a human", …) count too. */
  use_default_phrases: z.boolean(),
  /** Hand over when the bot could not ground two answers in a row in the tenant's documents. */
  on_ungrounded: z.boolean(),
});
export type HandoffSettings = z.output<typeof handoffSettingsSchema>;

export const handoffSettingsUpdateSchema = z.strictObject({
  phrases: z.array(phrase).max(100).optional(),
  use_default_phrases: z.boolean().optional(),
  on_ungrounded: z.boolean().optional(),
});
export type HandoffSettingsUpdate = z.output<typeof handoffSettingsUpdateSchema>;
