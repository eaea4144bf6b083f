import { Controller } from '@nestjs/common';

import { type PlatformCaller, TENANTS, type TenantsStats } from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles } from '@tenantbot/transport';

import { StatsService } from './stats.service';

@Controller()
export class StatsHandler {
  constructor(private readonly statistics: StatsService) {}

  @Handles(TENANTS.STATS)
  stats(@CurrentPlatformCaller() caller: PlatformCaller): Promise<TenantsStats> {
    return this.statistics.stats(caller);
  }
}
