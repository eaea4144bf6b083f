import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '../auth/decorators';
import { HttpMetrics } from '../http/http-metrics';
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
  info() {
    return PLATFORM_INFO;
  }

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Answers pong' })
  ping() {
    return 'pong';
  }

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('metrics')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Prometheus metrics (Bearer METRICS_TOKEN)',
    description:
      'Answers only `Authorization: Bearer <METRICS_TOKEN>` (401 UNAUTHORIZED otherwise); without ' +
      'a METRICS_TOKEN configured, metrics are off (404). The load balancer never routes it.',
  })
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
