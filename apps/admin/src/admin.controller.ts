import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ADMIN, parseOrThrow, statsQuerySchema, usageQuerySchema } from '@tenantbot/contracts';
import { ReportsService } from './reports/reports.service';

@Controller()
export class AdminController {
  constructor(@Inject(ReportsService) private readonly reports: ReportsService) {}

  @MessagePattern(ADMIN.USAGE)
  usage(@Payload() query: unknown) {
    return this.reports.usage(parseOrThrow(usageQuerySchema, query));
  }

  @MessagePattern(ADMIN.STATS)
  stats(@Payload() query: unknown) {
    return this.reports.stats(parseOrThrow(statsQuerySchema, query).tenant_id);
  }
}
