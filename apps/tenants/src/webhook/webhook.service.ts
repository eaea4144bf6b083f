import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import {
  type Caller,
  type CreatedWebhook,
  DomainError,
  ErrorCode,
  isTenantId,
  type TenantId,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_EVENT,
  type WebhookCreate,
  type WebhookDelivery,
  type WebhookPayload,
  type WebhookView,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { oneOf } from '../runtime/column-values';
import { requireRole } from '../security/caller';
import { SecretBox } from '../security/secret-box';
import { LOGGER } from '../tokens';
import { type DeliveryRow, WebhookRepository, type WebhookRow } from './webhook.repository';
import { WebhookAddressGuard } from './webhook-address-guard';
import { WebhookDeliveryQueue } from './webhook-delivery-queue';

/** What every relayed event carries: its tenant, and the id its emitter gave it. */
const relayedEventSchema = z.looseObject({
  tenantId: z.string().refine(isTenantId).optional(),
  tenant_id: z.string().refine(isTenantId).optional(),
  eventId: z.uuid().optional(),
});

/**
 * A tenant's webhook endpoints (tenant admins), and the relay of platform events to them: an
 * event of the tenant's goes to each of its endpoints subscribed to the event's type, never to
 * another tenant's (the endpoints are read in the event's tenant, under row-level security).
 */
@Injectable()
export class WebhookService {
  private readonly secrets: SecretBox;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly guard: WebhookAddressGuard,
    private readonly deliveries: WebhookDeliveryQueue,
    @Inject(TENANTS_CONFIG) config: Pick<TenantsConfig, 'ENCRYPTION_KEY'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.secrets = new SecretBox(config.ENCRYPTION_KEY);
  }

  async list(caller: Caller): Promise<WebhookView[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    return (await this.webhooks.list(caller.tenantId)).map(toWebhookView);
  }

  async create(caller: Caller, input: WebhookCreate): Promise<CreatedWebhook> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const url = await this.guard.checkRegistration(input.url);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const row = await this.webhooks.insert(caller.tenantId, {
      tenant_id: caller.tenantId,
      url: url.toString(),
      events: input.events,
      secret_ciphertext: JSON.stringify(this.secrets.seal(secret)),
      created_by: caller.userId ?? null,
    });
    return { ...toWebhookView(row), secret };
  }

  async delete(caller: Caller, id: string): Promise<void> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    if (!(await this.webhooks.delete(caller.tenantId, id))) {
      throw notFound();
    }
  }

  /** Queues a `webhook.test` event to the endpoint; its attempts show in its deliveries. */
  async test(caller: Caller, id: string): Promise<{ event_id: string; queued: true }> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const webhook = await this.webhooks.findById(caller.tenantId, id);
    if (!webhook) {
      throw notFound();
    }
    const eventId = randomUUID();
    await this.enqueue(caller.tenantId, webhook, {
      id: eventId,
      type: WEBHOOK_TEST_EVENT,
      created_at: new Date().toISOString(),
      tenant_id: caller.tenantId,
      data: { webhook_id: webhook.id },
    });
    return { event_id: eventId, queued: true };
  }

  async deliveriesOf(caller: Caller, id: string, limit: number): Promise<WebhookDelivery[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    if (!(await this.webhooks.findById(caller.tenantId, id))) {
      throw notFound();
    }
    return (await this.webhooks.latestDeliveries(caller.tenantId, id, limit)).map(toDeliveryView);
  }

  /** Relays a platform event to the endpoints of its tenant subscribed to `type`. */
  async relay(type: string, payload: unknown): Promise<void> {
    const parsed = relayedEventSchema.safeParse(payload);
    const tenantId = parsed.success ? (parsed.data.tenantId ?? parsed.data.tenant_id) : undefined;
    if (!parsed.success || !tenantId) {
      this.logger.warn({ type }, 'ignoring an event without a tenant');
      return;
    }
    const subscribed = await this.webhooks.subscribedTo(tenantId, type);
    if (subscribed.length === 0) {
      return;
    }
    const data: Record<string, unknown> = { ...parsed.data };
    const eventId = parsed.data.eventId;
    for (const envelopeField of ['tenantId', 'tenant_id', 'eventId']) {
      delete data[envelopeField];
    }
    const event: WebhookPayload = {
      id: eventId ?? eventIdOf(type, payload),
      type,
      created_at: new Date().toISOString(),
      tenant_id: tenantId,
      data,
    };
    for (const webhook of subscribed) {
      await this.enqueue(tenantId, webhook, event);
    }
  }

  private enqueue(tenantId: TenantId, webhook: WebhookRow, event: WebhookPayload): Promise<void> {
    return this.deliveries.enqueue({
      tenantId,
      webhookId: webhook.id,
      eventId: event.id,
      eventType: event.type,
      body: JSON.stringify(event),
    });
  }
}

/** An event its emitter gave no id gets one from its content: the same event, the same id. */
function eventIdOf(type: string, payload: unknown): string {
  const hex = createHash('sha256')
    .update(`${type}\n${JSON.stringify(payload)}`)
    .digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.WEBHOOK_NOT_FOUND, 'webhook not found');
}

function toWebhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events.map((event) => oneOf(WEBHOOK_EVENT_TYPES, event, 'webhooks.events')),
    created_at: row.created_at.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    attempt: row.attempt,
    outcome: oneOf(['delivered', 'failed', 'refused'], row.outcome, 'webhook_deliveries.outcome'),
    response_status: row.response_status,
    error: row.error,
    duration_ms: row.duration_ms,
    next_attempt_at: row.next_attempt_at ? row.next_attempt_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
  };
}
