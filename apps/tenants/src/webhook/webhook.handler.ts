import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import {
  type Caller,
  type CreatedWebhook,
  type ParsedRequestOf,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  WEBHOOKS,
  type WebhookTestReply,
  type WebhookView,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { WebhookService } from './webhook.service';

@Controller()
export class WebhookHandler {
  constructor(private readonly webhooks: WebhookService) {}

  @Handles(WEBHOOKS.LIST)
  list(@CurrentCaller() caller: Caller): Promise<WebhookView[]> {
    return this.webhooks.list(caller);
  }

  @Handles(WEBHOOKS.CREATE)
  create(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WEBHOOKS.CREATE) body: ParsedRequestOf<typeof WEBHOOKS.CREATE>,
  ): Promise<CreatedWebhook> {
    return this.webhooks.create(caller, body);
  }

  @Handles(WEBHOOKS.DELETE)
  async delete(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WEBHOOKS.DELETE) { id }: ParsedRequestOf<typeof WEBHOOKS.DELETE>,
  ): Promise<{ deleted: true }> {
    await this.webhooks.delete(caller, id);
    return { deleted: true };
  }

  @Handles(WEBHOOKS.TEST)
  test(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WEBHOOKS.TEST) { id }: ParsedRequestOf<typeof WEBHOOKS.TEST>,
  ): Promise<WebhookTestReply> {
    return this.webhooks.test(caller, id);
  }

  @Handles(WEBHOOKS.DELIVERIES)
  deliveries(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WEBHOOKS.DELIVERIES)
    { id, limit }: ParsedRequestOf<typeof WEBHOOKS.DELIVERIES>,
  ): Promise<WebhookDelivery[]> {
    return this.webhooks.deliveriesOf(caller, id, limit);
  }

  // Events of the other services: the tenant is the one the event names, not a caller's.

  @EventPattern(WEBHOOK_EVENTS.DOCUMENT_COMPLETED)
  documentCompleted(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, payload);
  }

  @EventPattern(WEBHOOK_EVENTS.DOCUMENT_FAILED)
  documentFailed(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_FAILED, payload);
  }

  @EventPattern(WEBHOOK_EVENTS.CONVERSATION_HANDOFF_REQUESTED)
  handoffRequested(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.CONVERSATION_HANDOFF_REQUESTED, payload);
  }

  @EventPattern(WEBHOOK_EVENTS.CONVERSATION_CLOSED)
  conversationClosed(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.CONVERSATION_CLOSED, payload);
  }

  @EventPattern(WEBHOOK_EVENTS.MESSAGE_FEEDBACK)
  messageFeedback(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.MESSAGE_FEEDBACK, payload);
  }

  @EventPattern(WEBHOOK_EVENTS.BUDGET_ALERT)
  budgetAlert(@Payload() payload: unknown): Promise<void> {
    return this.webhooks.relay(WEBHOOK_EVENTS.BUDGET_ALERT, payload);
  }
}
