import { z } from 'zod';

import {
  budgetAlertEventSchema,
  conversationEventSchema,
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

/** Every event and broadcast pattern, with the schema of what it carries. */
export const EVENTS = {
  [TENANT_EVENTS.DELETED]: tenantDeletedEventSchema,
  [ACCESS_EVENTS.CHANGED]: accessChangedEventSchema,
  [WEBHOOK_EVENTS.DOCUMENT_COMPLETED]: documentCompletedEventSchema,
  [WEBHOOK_EVENTS.DOCUMENT_FAILED]: documentFailedEventSchema,
  [WEBHOOK_EVENTS.CONVERSATION_HANDOFF_REQUESTED]: conversationEventSchema,
  [WEBHOOK_EVENTS.CONVERSATION_CLOSED]: conversationEventSchema,
  [WEBHOOK_EVENTS.MESSAGE_FEEDBACK]: messageFeedbackEventSchema,
  [WEBHOOK_EVENTS.BUDGET_ALERT]: budgetAlertEventSchema,
} as const satisfies Record<string, z.ZodType>;

export type EventPatternName = keyof typeof EVENTS;

/** What event `E` carries. */
export type EventOf<E extends EventPatternName> = z.output<(typeof EVENTS)[E]>;
