import { z } from 'zod';

/** Message patterns of a tenant's webhooks (the tenants service's). */
export const WEBHOOKS = {
  LIST: 'tenants.webhook.list',
  CREATE: 'tenants.webhook.create',
  DELETE: 'tenants.webhook.delete',
  /** Sends a `webhook.test` event to one endpoint, through the same queue as real events. */
  TEST: 'tenants.webhook.test',
  DELIVERIES: 'tenants.webhook.deliveries',
} as const;

/**
 * Events of the platform a tenant's endpoints may subscribe to. Each is also a transport event
 * (one stream a pattern, ./events.ts) that its service emits and the tenants service relays.
 */
export const WEBHOOK_EVENTS = {
  DOCUMENT_COMPLETED: 'document.completed',
  DOCUMENT_FAILED: 'document.failed',
  CONVERSATION_HANDOFF_REQUESTED: 'conversation.handoff_requested',
  CONVERSATION_CLOSED: 'conversation.closed',
  MESSAGE_FEEDBACK: 'message.feedback',
  BUDGET_ALERT: 'budget.alert',
} as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS];
/** Every event type, in the order above. */
export const WEBHOOK_EVENT_TYPES = Object.values(WEBHOOK_EVENTS) as readonly WebhookEventType[];

/** The type of the event `POST /webhooks/{id}/test` sends; nobody subscribes to it. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

const tenantId = z.uuid();
/** Set by the emitter so a redelivered transport event is delivered to endpoints once. */
const eventId = z.uuid();

// ---- the transport events the webhooks relay ----------------------------------------------
// Those written to `event_outbox` (no row-level security) carry ids, numbers and codes only,
// never a tenant's text: a receiver reads titles, errors or comments through the API.

export const documentCompletedEventSchema = z.object({
  tenantId,
  eventId,
  document_id: z.uuid(),
  version: z.number().int(),
  chunk_count: z.number().int(),
});

export const documentFailedEventSchema = z.object({
  tenantId,
  eventId,
  document_id: z.uuid(),
  version: z.number().int(),
  error_code: z.string(),
});

export const budgetAlertEventSchema = z.object({
  tenantId,
  eventId: eventId.optional(),
  budget: z.string(),
  used_fraction: z.number(),
});

export const messageFeedbackEventSchema = z.object({
  tenantId,
  eventId,
  message_id: z.uuid(),
  conversation_id: z.uuid(),
  rating: z.enum(['up', 'down']),
  has_comment: z.boolean(),
});

/** Emitted by the chat service's handoff; only the tenant is relied upon here. */
export const conversationEventSchema = z.looseObject({ tenantId, eventId: eventId.optional() });

export type DocumentCompletedEvent = z.output<typeof documentCompletedEventSchema>;
export type DocumentFailedEvent = z.output<typeof documentFailedEventSchema>;
export type BudgetAlertEvent = z.output<typeof budgetAlertEventSchema>;
export type MessageFeedbackEvent = z.output<typeof messageFeedbackEventSchema>;

// ---- HTTP and messages --------------------------------------------------------------------

const webhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/, 'an absolute http(s) URL');

export const webhookCreateSchema = z.strictObject({
  url: webhookUrl,
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .transform((events) => [...new Set(events)]),
});
export type WebhookCreate = z.output<typeof webhookCreateSchema>;

export const webhookViewSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  created_at: z.iso.datetime({ offset: true }),
});
export type WebhookView = z.output<typeof webhookViewSchema>;

/** The signing secret (`whsec_…`) is in this reply only. */
export const createdWebhookSchema = webhookViewSchema.extend({ secret: z.string() });
export type CreatedWebhook = z.output<typeof createdWebhookSchema>;

export const webhookTestReplySchema = z.object({ event_id: z.uuid(), queued: z.literal(true) });
export type WebhookTestReply = z.output<typeof webhookTestReplySchema>;

export const WEBHOOK_DELIVERY_OUTCOMES = ['delivered', 'failed', 'refused'] as const;

export const webhookDeliverySchema = z.object({
  id: z.uuid(),
  event_id: z.uuid(),
  event_type: z.string(),
  attempt: z.number().int(),
  /** `refused`: the URL resolved to a private or metadata address; never retried. */
  outcome: z.enum(WEBHOOK_DELIVERY_OUTCOMES),
  response_status: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
  /** When the next attempt is due; null once delivered or given up. */
  next_attempt_at: z.iso.datetime({ offset: true }).nullable(),
  created_at: z.iso.datetime({ offset: true }),
});
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>;

export const webhookDeliveriesRequestSchema = z.strictObject({
  id: z.uuid(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const webhookDeliveriesQuerySchema = webhookDeliveriesRequestSchema.omit({ id: true });
export type WebhookDeliveriesQuery = z.output<typeof webhookDeliveriesQuerySchema>;

/** What an endpoint receives (`POST`, JSON), signed in `X-Tenantbot-Signature`. */
export const webhookPayloadSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  tenant_id: z.uuid(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

export const WEBHOOK_SIGNATURE_HEADER = 'X-Tenantbot-Signature';
