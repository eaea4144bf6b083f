import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import {
  type CreatedWebhook,
  createdWebhookSchema,
  ErrorCode,
  type IdParam,
  idParamSchema,
  type WebhookCreate,
  webhookCreateSchema,
  type WebhookDeliveriesQuery,
  webhookDeliveriesQuerySchema,
  type WebhookDelivery,
  webhookDeliverySchema,
  WEBHOOKS,
  type WebhookTestReply,
  webhookTestReplySchema,
  type WebhookView,
  webhookViewSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

@ApiTags('webhooks')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's webhook endpoints (never their secrets)" })
  @ApiReply(z.array(webhookViewSchema))
  list(): Promise<WebhookView[]> {
    return this.transport.request(WEBHOOKS.LIST, {});
  }

  @Post()
  @ApiOperation({
    summary: 'Register an endpoint for events',
    description:
      'Events: document.completed, document.failed, conversation.handoff_requested, conversation.closed, message.feedback, budget.alert. ' +
      'The URL must resolve to public addresses only (400 URL_NOT_ALLOWED otherwise). ' +
      'The signing `secret` is shown only in this response: deliveries carry ' +
      '`X-Tenantbot-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (see docs/webhooks.md).',
  })
  @ApiInput({
    example: { url: 'https://hooks.example.com/tenantbot', events: ['document.completed'] },
  })
  @ApiReply(createdWebhookSchema)
  @ApiErrors(ErrorCode.URL_NOT_ALLOWED)
  create(@Body(new ZodPipe(webhookCreateSchema)) body: WebhookCreate): Promise<CreatedWebhook> {
    return this.transport.request(WEBHOOKS.CREATE, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint; its pending deliveries are dropped' })
  @ApiReply()
  @ApiErrors(ErrorCode.WEBHOOK_NOT_FOUND)
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(WEBHOOKS.DELETE, params);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a signed `webhook.test` event to the endpoint',
    description: 'Queued like any event; its attempts appear in the deliveries.',
  })
  @ApiReply(webhookTestReplySchema)
  @ApiErrors(ErrorCode.WEBHOOK_NOT_FOUND)
  test(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<WebhookTestReply> {
    return this.transport.request(WEBHOOKS.TEST, params);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "The endpoint's latest delivery attempts, newest first",
    description:
      'One row per attempt: outcome (delivered, failed, refused), response status, error, duration and when the next retry is due. ' +
      'Failures are retried with exponential backoff for 24 hours.',
  })
  @ApiReply(z.array(webhookDeliverySchema))
  @ApiErrors(ErrorCode.WEBHOOK_NOT_FOUND)
  deliveries(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Query(new ZodPipe(webhookDeliveriesQuerySchema)) query: WebhookDeliveriesQuery,
  ): Promise<WebhookDelivery[]> {
    return this.transport.request(WEBHOOKS.DELIVERIES, { ...params, ...query });
  }
}
