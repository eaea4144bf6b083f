import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  ADMIN,
  type StatsQuery,
  statsQuerySchema,
  type StatsReport,
  statsReportSchema,
  type UsageQuery,
  usageQuerySchema,
  type UsageReport,
  usageReportSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiReply } from '../openapi/api-contract';

@ApiTags('admin')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/admin')
export class AdminController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get('usage')
  @ApiOperation({
    summary: 'Requests, tokens, cost and errors over a period, grouped by day, model or user',
    description:
      'A tenant admin sees its tenant; a super admin names one with tenant_id (or X-Tenant-ID) or sees the platform. Defaults: the last 30 days, by day.',
  })
  @ApiReply(usageReportSchema)
  usage(@Query(new ZodPipe(usageQuerySchema)) query: UsageQuery): Promise<UsageReport> {
    return this.transport.request(ADMIN.USAGE, query, { timeoutMs: 20_000 });
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Users, documents, chunks, conversations, messages, tokens, cost, requests and errors',
    description:
      'A tenant admin: its tenant. A super admin: the platform (with top tenants), or one tenant by tenant_id.',
  })
  @ApiReply(statsReportSchema)
  stats(@Query(new ZodPipe(statsQuerySchema)) query: StatsQuery): Promise<StatsReport> {
    return this.transport.request(ADMIN.STATS, query, { timeoutMs: 20_000 });
  }
}
