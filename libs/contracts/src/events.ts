import { z } from 'zod';

import {
  budgetAlertEventSchema,
  documentCompletedEventSchema,
  documentFailedEventSchema,
  messageFeedbackEventSchema,
  WEBHOOK_EVENTS,
} from './webhooks';

/** Events every interested service receives once (one consumer group per service). */
export const TENANT_EVENTS = {
  /** `{ tenantId }`: the tenant and its users are gone; every service removes its data. */
  DELETED: 'tenant.deleted',
} as const;

export const tenantDeletedEventSchema = z.object({ tenantId: z.uuid() });
export type TenantDeletedEvent = z.output<typeof tenantDeletedEventSchema>;

/**
 * Broadcasts every live process receives (Redis pub/sub, not a consumer group): what makes a
 * cached caller or tenant configuration stale. Published by the tenants service after the
 * change committed; lost only when nobody listens, which caches cover with a short TTL.
 */
export const ACCESS_EVENTS = {
  CHANGED: 'access.changed',
} as const;

/**
 * `tenant`: updated, deactivated, created or deleted (its users and keys with it);
 * `user`: updated (active, role, password) or deleted; `api_key`: revoked.
 */
export const accessChangedEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tenant'), tenantId: z.string() }),
  z.object({ kind: z.literal('user'), tenantId: z.string().nullable(), userId: z.string() }),
  z.object({ kind: z.literal('api_key'), tenantId: z.string(), apiKeyId: z.string() }),
]);
export type AccessChangedEvent = z.output<typeof accessChangedEventSchema>;

/**
 * Broadcasts of the chat service's replicas to each other: a tenant's assistants changed
 * (created, updated, deleted, or the default moved), so a cached choice of assistant is stale;
 * its handoff policy changed, so a cached policy is.
 */
export const ASSISTANT_EVENTS = {
  CHANGED: 'assistants.changed',
} as const;
export const HANDOFF_SETTINGS_EVENTS = {
  CHANGED: 'handoff_settings.changed',
} as const;

/** What both carry: the tenant whose cached entries are stale. */
export const tenantSettingsChangedEventSchema = z.object({ tenantId: z.string() });
export type TenantSettingsChangedEvent = z.output<typeof tenantSettingsChangedEventSchema>;

/**
 * Handoff events on the transport (consumer groups; the webhooks deliver them outside),
 * recorded in the outbox by the transaction that made the change.
 */
export const CONVERSATION_EVENTS = {
  HANDOFF_REQUESTED: 'conversation.handoff_requested',
  CLAIMED: 'conversation.claimed',
  CLOSED: 'conversation.closed',
} as const;

const conversationEventFields = {
  tenantId: z.uuid(),
  conversationId: z.uuid(),
  at: z.string(),
};
export const handoffRequestedEventSchema = z.object({
  ...conversationEventFields,
  /** `user` (the route or the widget's button), `phrase` (policy), `ungrounded` (twice). */
  trigger: z.enum(['user', 'phrase', 'ungrounded']),
  reason: z.string().nullable(),
});
export const conversationClaimedEventSchema = z.object({
  ...conversationEventFields,
  agentId: z.uuid(),
});
export const conversationClosedEventSchema = z.object({
  ...conversationEventFields,
  closedBy: z.uuid().nullable(),
});

/**
 * A live change of one conversation, broadcast (Redis pub/sub) by the chat service to every
 * gateway replica, which hands it to the sockets it holds: the agents of the tenant on the
 * inbox socket, the conversation's own user or visitor on the chat socket. A gateway also
 * broadcasts typing from its sockets. Lost when no replica listens (the REST routes are the
 * record).
 */
export const LIVE_EVENTS = {
  CONVERSATION: 'conversation.live',
} as const;

const liveMessageSchema = z.object({
  id: z.uuid(),
  role: z.enum(['user', 'assistant', 'agent', 'system']),
  author_id: z.string().nullable(),
  internal: z.boolean(),
  content: z.string(),
  created_at: z.string(),
});
const liveConversationSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  status: z.enum(['bot', 'waiting_human', 'human', 'closed']),
  assigned_agent_id: z.uuid().nullable(),
  channel: z.enum(['api', 'websocket', 'widget']),
});
export const liveConversationEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    tenantId: z.uuid(),
    conversationId: z.uuid(),
    message: liveMessageSchema,
  }),
  z.object({
    kind: z.literal('status'),
    tenantId: z.uuid(),
    conversationId: z.uuid(),
    conversation: liveConversationSchema,
  }),
  z.object({
    kind: z.literal('typing'),
    tenantId: z.uuid(),
    conversationId: z.uuid(),
    from: z.enum(['user', 'agent']),
    is_typing: z.boolean(),
  }),
]);
export type LiveConversationEvent = z.output<typeof liveConversationEventSchema>;

/** Every event and broadcast pattern, with the schema of what it carries. */
export const EVENTS = {
  [TENANT_EVENTS.DELETED]: tenantDeletedEventSchema,
  [ACCESS_EVENTS.CHANGED]: accessChangedEventSchema,
  [ASSISTANT_EVENTS.CHANGED]: tenantSettingsChangedEventSchema,
  [HANDOFF_SETTINGS_EVENTS.CHANGED]: tenantSettingsChangedEventSchema,
  [CONVERSATION_EVENTS.HANDOFF_REQUESTED]: handoffRequestedEventSchema,
  [CONVERSATION_EVENTS.CLAIMED]: conversationClaimedEventSchema,
  [CONVERSATION_EVENTS.CLOSED]: conversationClosedEventSchema,
  [LIVE_EVENTS.CONVERSATION]: liveConversationEventSchema,
  [WEBHOOK_EVENTS.DOCUMENT_COMPLETED]: documentCompletedEventSchema,
  [WEBHOOK_EVENTS.DOCUMENT_FAILED]: documentFailedEventSchema,
  [WEBHOOK_EVENTS.MESSAGE_FEEDBACK]: messageFeedbackEventSchema,
  [WEBHOOK_EVENTS.BUDGET_ALERT]: budgetAlertEventSchema,
} as const satisfies Record<string, z.ZodType>;

export type EventPatternName = keyof typeof EVENTS;

/** What event `E` carries. */
export type EventOf<E extends EventPatternName> = z.output<(typeof EVENTS)[E]>;
