import { Injectable } from '@nestjs/common';

import { type PlatformCaller, type RagStats, tenantIdOf } from '@tenantbot/contracts';
import { PlatformScope } from '@tenantbot/database';
import { reportScopeOf } from '@tenantbot/tenant-context';

import { StatsRepository } from './stats.repository';

/** Documents by status and chunks, for the admin service. */
@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsRepository,
    private readonly platform: PlatformScope,
  ) {}

  /** A tenant admin's tenant; a super admin's tenant in context, or else the platform. */
  async stats(caller: PlatformCaller): Promise<RagStats> {
    const report = reportScopeOf(caller);
    const scope = report.kind === 'tenant' ? tenantIdOf(report.tenantId) : this.platform;
    const { byStatus, chunks } = await this.repository.counts(scope);
    return {
      documents: {
        total: byStatus.reduce((sum, row) => sum + row.n, 0),
        by_status: Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
      },
      chunks,
    };
  }
}
