import { Injectable } from '@nestjs/common';
import { inReportScope, TenantScope, type TenantTransaction } from '@tenantbot/database';
import type { ReportScope } from '@tenantbot/tenant-context';

export interface DocumentCounts {
  byStatus: { status: string; n: number }[];
  chunks: number;
}

/** Counts of documents and chunks in a report's scope: one tenant, or the platform. */
@Injectable()
export class StatsRepository {
  constructor(private readonly scope: TenantScope) {}

  counts(report: ReportScope): Promise<DocumentCounts> {
    return inReportScope(this.scope, report, count);
  }
}

async function count(tx: TenantTransaction): Promise<DocumentCounts> {
  const byStatus = await tx.rows<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM documents GROUP BY status`,
  );
  const totals = await tx.one<{ chunks: number }>(`SELECT count(*)::int AS chunks FROM chunks`);
  return { byStatus, chunks: totals?.chunks ?? 0 };
}
