import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import {
  ADMIN,
  type StatsQuery,
  statsQuerySchema,
  type StatsReport,
  usageQuerySchema,
  type UsageReport,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { usageCsv } from '../exports/csv';

const usageRouteQuerySchema = usageQuerySchema.extend({
  format: z.enum(['json', 'csv']).default('json'),
});
type UsageRouteQuery = z.output<typeof usageRouteQuerySchema>;

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
  @ApiQuery({
    name: 'format',
    required: false,
    enum: ['json', 'csv'],
    description:
      'csv: one row a group (key, requests, errors, input_tokens, output_tokens, cost_usd)',
  })
  @ApiProduces('application/json', 'text/csv')
  async usage(
    @Query(new ZodPipe(usageRouteQuerySchema)) query: UsageRouteQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UsageReport | string> {
    const { format, ...usage } = query;
    const report = await this.transport.request(ADMIN.USAGE, usage, { timeoutMs: 20_000 });
    if (format === 'json') {
      return report;
    }
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="usage-by-${report.group_by}-${report.from.slice(0, 10)}.csv"`,
      );
    return usageCsv(report);
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
