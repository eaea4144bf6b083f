import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../auth/decorators';
import { ApiReply } from '../openapi/api-contract';
import { healthReportSchema } from '../openapi/gateway-replies';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly dependencies: HealthService) {}

  @Get('health')
  @ApiOperation({
    summary: 'Every dependency with status and latency',
    description:
      'Postgres, Redis, Chroma and each service over the transport. 503 when any is down.',
  })
  @ApiReply(healthReportSchema, { description: 'Every dependency is up' })
  @ApiReply(healthReportSchema, { status: 503, description: 'A dependency is down (`degraded`)' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.dependencies.check();
    void reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
