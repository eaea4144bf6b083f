import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  ADMIN,
  parseOrThrow,
  statsQuerySchema,
  type StatsReport,
  usageQuerySchema,
  type UsageReport,
} from '@tenantbot/contracts';
import { currentContext, type RequestContext } from '@tenantbot/tenant-context';

import { ReportsService } from './reports.service';

@Controller()
export class ReportsHandler {
  constructor(private readonly reports: ReportsService) {}

  @MessagePattern(ADMIN.USAGE)
  usage(@Payload() query: unknown): Promise<UsageReport> {
    return this.reports.usage(messageCaller(), parseOrThrow(usageQuerySchema, query));
  }

  @MessagePattern(ADMIN.STATS)
  stats(@Payload() query: unknown): Promise<StatsReport> {
    const { tenant_id } = parseOrThrow(statsQuerySchema, query);
    return this.reports.stats(messageCaller(), tenant_id);
  }
}

/** The caller the message travelled with. */
function messageCaller(): RequestContext {
  return currentContext() ?? { requestId: 'admin' };
}
