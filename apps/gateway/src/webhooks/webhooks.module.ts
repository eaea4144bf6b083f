import { Module } from '@nestjs/common';

import { WebhooksController } from './webhooks.controller';

/** A tenant's webhook endpoints (the tenants service's). */
@Module({ controllers: [WebhooksController] })
export class WebhooksModule {}
