import { Module } from '@nestjs/common';

import { WebhookHandler } from './webhook.handler';
import { WebhookRepository } from './webhook.repository';
import { WebhookService } from './webhook.service';
import { WebhookAddressGuard } from './webhook-address-guard';
import { WebhookDeliveryQueue } from './webhook-delivery-queue';
import { WebhookSender } from './webhook-sender';

/** A tenant's webhook endpoints, and the signed, retried delivery of platform events to them. */
@Module({
  controllers: [WebhookHandler],
  providers: [
    WebhookService,
    WebhookRepository,
    WebhookAddressGuard,
    WebhookSender,
    WebhookDeliveryQueue,
  ],
})
export class WebhookModule {}
