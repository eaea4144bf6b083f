import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import {
  ADMIN,
  type StatsQuery,
  statsQuerySchema,
  type StatsReport,
  statsReportSchema,
  usageQuerySchema,
  type UsageReport,
  usageReportSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { usageCsv } from '../exports/csv';
import { ApiReply } from '../openapi/api-contract';

const usageRouteQuerySchema = usageQuerySchema.extend({
  /** `csv`: one row a group (key, requests, errors, input_tokens, output_tokens, cost_usd). */
  format: z.enum(['json', 'csv']).default('json'),
});
type UsageRouteQuery = z.output<typeof usageRouteQuerySchema>;

@ApiTags('admin')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/admin')
export class AdminController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get('usage')
  @ApiOperation({
    summary: 'Requests, tokens, cost and errors over a period, grouped by day, model or user',
    description:
      'A tenant admin sees its tenant; a super admin names one with tenant_id (or X-Tenant-ID) or sees the platform. Defaults: the last 30 days, by day. ' +
      '`format=csv`: the rows as CSV (key, requests, errors, input_tokens, output_tokens, cost_usd).',
  })
  @ApiReply(usageReportSchema)
  @ApiReply(z.string(), {
    mediaTypes: ['text/csv'],
    description: 'With `format=csv`: a header line, then one row a group',
  })
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
    summary:
      'Users, documents, chunks, conversations, messages, feedback, tokens, cost, requests and errors',
    description:
      'A tenant admin: its tenant. A super admin: the platform (with top tenants), or one tenant by tenant_id.',
  })
  @ApiReply(statsReportSchema)
  stats(@Query(new ZodPipe(statsQuerySchema)) query: StatsQuery): Promise<StatsReport> {
    return this.transport.request(ADMIN.STATS, query, { timeoutMs: 20_000 });
  }
}
