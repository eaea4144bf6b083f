import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { DomainError, ErrorCode, STATS_PATTERNS, type RagStats } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { currentContext } from '@tenantbot/tenant-context';
import type { EntityManager } from 'typeorm';

/**
 * Documents by status and chunks, for the admin service: of the tenant in context, or of the
 * whole platform for a super admin without one.
 */
@Controller()
export class StatsController {
  constructor(@Inject(TenantScope) private readonly scope: TenantScope) {}

  @MessagePattern(STATS_PATTERNS.RAG)
  stats(): Promise<RagStats> {
    const context = currentContext();
    const role = context?.principal?.role;
    if (role !== 'tenant_admin' && role !== 'super_admin') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'requires tenant_admin or super_admin');
    }
    if (context?.tenantId) return this.scope.run(context.tenantId, count);
    if (role === 'super_admin') return this.scope.runAcrossTenants(count);
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this message needs a tenant in its context');
  }
}

async function count(db: EntityManager): Promise<RagStats> {
  const rows = (await db.query(
    `SELECT status, count(*)::int AS n FROM documents GROUP BY status`,
  )) as {
    status: string;
    n: number;
  }[];
  const [{ chunks }] = (await db.query(`SELECT count(*)::int AS chunks FROM chunks`)) as {
    chunks: number;
  }[];
  return {
    documents: {
      total: rows.reduce((sum, row) => sum + row.n, 0),
      by_status: Object.fromEntries(rows.map((row) => [row.status, row.n])),
    },
    chunks,
  };
}
