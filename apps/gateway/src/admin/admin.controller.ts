import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

import {
  ADMIN,
  type StatsQuery,
  statsQuerySchema,
  type StatsReport,
  type UsageQuery,
  usageQuerySchema,
  type UsageReport,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';

@ApiTags('admin')
@ApiBearerAuth()
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
  @ApiQuery({ name: 'from', required: false, description: 'ISO date or date-time (inclusive)' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO date or date-time (exclusive)' })
  @ApiQuery({ name: 'group_by', required: false, enum: ['day', 'model', 'user'] })
  @ApiQuery({ name: 'tenant_id', required: false })
  usage(@Query(new ZodPipe(usageQuerySchema)) query: UsageQuery): Promise<UsageReport> {
    return this.transport.request(ADMIN.USAGE, query, { timeoutMs: 20_000 });
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Users, documents, chunks, conversations, messages, tokens, cost, requests and errors',
    description:
      'A tenant admin: its tenant. A super admin: the platform (with top tenants), or one tenant by tenant_id.',
  })
  @ApiQuery({ name: 'tenant_id', required: false })
  stats(@Query(new ZodPipe(statsQuerySchema)) query: StatsQuery): Promise<StatsReport> {
    return this.transport.request(ADMIN.STATS, query, { timeoutMs: 20_000 });
  }
}
