import { randomBytes } from 'node:crypto';

import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import {
  DomainError,
  ErrorCode,
  type OpenedWidget,
  widgetConfigQuerySchema,
  type WidgetPublicConfig,
  WIDGETS,
  type WidgetSession,
  widgetSessionRequestSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Public } from '../auth/decorators';
import { ApiErrors, ApiReply } from '../openapi/api-contract';
import { widgetPublicConfigSchema, widgetSessionSchema } from '../openapi/gateway-replies';
import { LOGGER } from '../tokens';
import { decideCors } from './cors-policy';
import { pageOriginOf } from './page-origin';
import { VisitorTokens } from './visitor-tokens';

const WIDGET_OPEN_ERRORS = [
  ErrorCode.WIDGET_NOT_FOUND,
  ErrorCode.WIDGET_INACTIVE,
  ErrorCode.ORIGIN_NOT_ALLOWED,
  ErrorCode.TENANT_INACTIVE,
  ErrorCode.RATE_LIMITED,
];

/**
 * The widget's public calls, checked against the page's `Origin`: its branding, and a visitor
 * session. A key used from an origin the widget does not list gets 403 ORIGIN_NOT_ALLOWED and
 * no CORS headers, so the page cannot even read that answer.
 */
@ApiTags('widget (public)')
@Public()
@Controller('api/v1/widget')
export class WidgetSessionsController {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly tokens: VisitorTokens,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('config')
  @ApiOperation({ summary: "A widget's branding, for a page on one of its origins" })
  @ApiHeader({ name: 'Origin', required: true })
  @ApiReply(widgetPublicConfigSchema)
  @ApiErrors(...WIDGET_OPEN_ERRORS)
  async config(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query(new ZodPipe(widgetConfigQuerySchema)) query: z.output<typeof widgetConfigQuerySchema>,
  ): Promise<WidgetPublicConfig> {
    const { widget } = await this.open(request, reply, query.key);
    return { ...widget.branding, handoff_enabled: widget.handoff_enabled };
  }

  @Post('sessions')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Open (or renew) a visitor session',
    description:
      'Answers a visitor token (Bearer, ≤ 15 minutes) bound to the widget, the page origin and the ' +
      'visitor id. Send the `visitor_id` back to renew the session of the same visitor.',
  })
  @ApiHeader({ name: 'Origin', required: true })
  @ApiReply(widgetSessionSchema)
  @ApiErrors(...WIDGET_OPEN_ERRORS)
  async session(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body(new ZodPipe(widgetSessionRequestSchema))
    body: z.output<typeof widgetSessionRequestSchema>,
  ): Promise<WidgetSession> {
    const { widget, tenant } = await this.open(request, reply, body.key);
    const visitorId = body.visitor_id ?? `v_${randomBytes(16).toString('base64url')}`;
    const token = await this.tokens.sign({
      visitor_id: visitorId,
      tenant_id: tenant.id,
      widget_id: widget.id,
      origin: pageOriginOf(request),
    });
    void reply.header('Cache-Control', 'no-store');
    return {
      token,
      token_type: 'bearer',
      expires_in: this.tokens.ttlSeconds,
      visitor_id: visitorId,
    };
  }

  private async open(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
  ): Promise<OpenedWidget> {
    try {
      const opened = await this.transport.request(WIDGETS.OPEN, {
        key,
        origin: pageOriginOf(request),
      });
      decideCors(request, reply, opened.widget.allowed_origins, this.logger);
      return opened;
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.ORIGIN_NOT_ALLOWED) {
        decideCors(request, reply, [], this.logger);
      }
      throw error;
    }
  }
}
