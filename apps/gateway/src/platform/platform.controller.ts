import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ErrorCode } from '@tenantbot/contracts';

import { Public } from '../auth/decorators';
import { HttpMetrics } from '../http/http-metrics';
import { ApiErrors, ApiReply } from '../openapi/api-contract';
import { livenessSchema, platformInfoSchema, textSchema } from '../openapi/gateway-replies';
import { MetricsAccess } from './metrics-access';
import { PLATFORM_INFO } from './platform-info';

@ApiTags('health')
@Public()
@Controller()
export class PlatformController {
  constructor(
    private readonly metrics: HttpMetrics,
    private readonly metricsAccess: MetricsAccess,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Platform information' })
  @ApiReply(platformInfoSchema)
  info() {
    return PLATFORM_INFO;
  }

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Answers pong' })
  @ApiReply(textSchema, { mediaTypes: ['text/plain'], example: 'pong' })
  ping() {
    return 'pong';
  }

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  @ApiReply(livenessSchema)
  healthz() {
    return { status: 'ok' };
  }

  @Get('metrics')
  @ApiSecurity('metrics')
  @ApiOperation({
    summary: 'Prometheus metrics (Bearer METRICS_TOKEN)',
    description:
      'Answers only `Authorization: Bearer <METRICS_TOKEN>` (401 UNAUTHORIZED otherwise); without ' +
      'a METRICS_TOKEN configured, metrics are off (404). The load balancer never routes it.',
  })
  @ApiReply(textSchema, {
    mediaTypes: ['text/plain'],
    description: 'Prometheus text exposition format',
  })
  @ApiErrors(ErrorCode.UNAUTHORIZED, ErrorCode.ROUTE_NOT_FOUND)
  async prometheus(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    this.metricsAccess.check({
      url: request.raw.url ?? '',
      authorization: request.headers.authorization,
    });
    // Set here, not by @Header: a refusal is JSON.
    void reply.header('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
