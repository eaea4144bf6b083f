import type { operations } from '../api/schema';

/** Webhooks (README "Webhooks, feedback and export"): signed event deliveries to the tenant. */
export type WebhookView =
  operations['WebhooksController_list']['responses'][200]['content']['application/json'][number];
export type CreatedWebhook =
  operations['WebhooksController_create']['responses'][201]['content']['application/json'];
export type WebhookDelivery =
  operations['WebhooksController_deliveries']['responses'][200]['content']['application/json'][number];
export type WebhookEvent = WebhookView['events'][number];

export const WEBHOOK_EVENTS: Record<WebhookEvent, string> = {
  'document.completed': 'A document is ready',
  'document.failed': 'A document failed',
  'conversation.handoff_requested': 'A conversation asks for a person',
  'conversation.closed': 'A conversation is closed',
  'message.feedback': 'An answer is rated',
  'budget.alert': 'The budget runs low',
};

/** Why an address cannot take webhooks, before asking the API (which also checks it resolves publicly). */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'A full address, such as https://hooks.example.com/tenantbot.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return 'An http or https address.';
  }
  return undefined;
}

/** One line on a delivery attempt: its outcome and the receiver's answer. */
export function deliveryLine(delivery: WebhookDelivery): string {
  const answer =
    delivery.response_status !== null
      ? `HTTP ${delivery.response_status}`
      : (delivery.error ?? 'no answer');
  const retry = delivery.next_attempt_at ? ' · will retry' : '';
  return `${delivery.outcome} (attempt ${delivery.attempt}): ${answer} in ${delivery.duration_ms} ms${retry}`;
}
