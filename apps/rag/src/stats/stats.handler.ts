import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { STATS_PATTERNS, type RagStats } from '@tenantbot/contracts';
import { currentReportScope } from '@tenantbot/tenant-context';
import { StatsService } from './stats.service';

/** Of a tenant, or of the platform for a super admin. */
@Controller()
export class StatsHandler {
  constructor(private readonly service: StatsService) {}

  @MessagePattern(STATS_PATTERNS.RAG)
  stats(): Promise<RagStats> {
    return this.service.stats(currentReportScope());
  }
}
