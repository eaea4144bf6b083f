import { Injectable } from '@nestjs/common';
import type { RagStats } from '@tenantbot/contracts';
import type { ReportScope } from '@tenantbot/tenant-context';
import { StatsRepository } from './stats.repository';

/** Documents by status and chunks, for the admin service. */
@Injectable()
export class StatsService {
  constructor(private readonly repository: StatsRepository) {}

  /** `report` is what the caller may see, checked by `currentReportScope`. */
  async stats(report: ReportScope): Promise<RagStats> {
    const { byStatus, chunks } = await this.repository.counts(report);
    return {
      documents: {
        total: byStatus.reduce((sum, row) => sum + row.n, 0),
        by_status: Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
      },
      chunks,
    };
  }
}
