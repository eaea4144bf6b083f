import { Controller } from '@nestjs/common';

import { type PlatformCaller, type RagStats, STATS_PATTERNS } from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles } from '@tenantbot/transport';

import { StatsService } from './stats.service';

/** Of a tenant, or of the platform for a super admin. */
@Controller()
export class StatsHandler {
  constructor(private readonly service: StatsService) {}

  @Handles(STATS_PATTERNS.RAG)
  stats(@CurrentPlatformCaller() caller: PlatformCaller): Promise<RagStats> {
    return this.service.stats(caller);
  }
}
