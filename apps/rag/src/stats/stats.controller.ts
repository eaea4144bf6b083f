import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { STATS_PATTERNS, type RagStats } from '@tenantbot/contracts';
import { TenantScope, inReportScope, type TenantTransaction } from '@tenantbot/database';
import { currentReportScope } from '@tenantbot/tenant-context';

/** Documents by status and chunks, for the admin service: of a tenant, or of the platform. */
@Controller()
export class StatsController {
  constructor(@Inject(TenantScope) private readonly scope: TenantScope) {}

  @MessagePattern(STATS_PATTERNS.RAG)
  stats(): Promise<RagStats> {
    return inReportScope(this.scope, currentReportScope(), count);
  }
}

async function count(tx: TenantTransaction): Promise<RagStats> {
  const rows = await tx.rows<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM documents GROUP BY status`,
  );
  const totals = await tx.one<{ chunks: number }>(`SELECT count(*)::int AS chunks FROM chunks`);
  return {
    documents: {
      total: rows.reduce((sum, row) => sum + row.n, 0),
      by_status: Object.fromEntries(rows.map((row) => [row.status, row.n])),
    },
    chunks: totals?.chunks ?? 0,
  };
}
