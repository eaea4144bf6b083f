import { Controller } from '@nestjs/common';

import {
  ADMIN,
  type ParsedRequestOf,
  type PlatformCaller,
  type StatsReport,
  type UsageReport,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { ReportsService } from './reports.service';

@Controller()
export class ReportsHandler {
  constructor(private readonly reports: ReportsService) {}

  @Handles(ADMIN.USAGE)
  usage(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(ADMIN.USAGE) query: ParsedRequestOf<typeof ADMIN.USAGE>,
  ): Promise<UsageReport> {
    return this.reports.usage(caller, query);
  }

  @Handles(ADMIN.STATS)
  stats(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(ADMIN.STATS) query: ParsedRequestOf<typeof ADMIN.STATS>,
  ): Promise<StatsReport> {
    return this.reports.stats(caller, query.tenant_id);
  }
}
