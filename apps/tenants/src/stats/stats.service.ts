import { Inject, Injectable } from '@nestjs/common';
import type { TenantsStats } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { currentReportScope } from '@tenantbot/tenant-context';
import type { EntityManager } from 'typeorm';

/** Counts for the admin service: of the tenant in context, or of the platform for a super admin. */
@Injectable()
export class StatsService {
  constructor(@Inject(TenantScope) private readonly scope: TenantScope) {}

  stats(): Promise<TenantsStats> {
    const report = currentReportScope();
    if (report.kind === 'tenant') {
      return this.scope.run(report.tenantId, async (db) => ({ users: await usersByRole(db) }));
    }
    return this.scope.runAcrossTenants(async (db) => ({
      tenants: await tenantsByPlan(db),
      users: await usersByRole(db),
    }));
  }
}

async function usersByRole(db: EntityManager): Promise<TenantsStats['users']> {
  const rows = (await db.query(`SELECT role, count(*)::int AS n FROM users GROUP BY role`)) as {
    role: string;
    n: number;
  }[];
  return {
    total: rows.reduce((sum, row) => sum + row.n, 0),
    by_role: Object.fromEntries(rows.map((row) => [row.role, row.n])),
  };
}

async function tenantsByPlan(db: EntityManager): Promise<NonNullable<TenantsStats['tenants']>> {
  const rows = (await db.query(
    `SELECT plan, is_active, count(*)::int AS n FROM tenants GROUP BY plan, is_active`,
  )) as { plan: string; is_active: boolean; n: number }[];
  const byPlan: Record<string, number> = {};
  for (const row of rows) byPlan[row.plan] = (byPlan[row.plan] ?? 0) + row.n;
  const count = (active: boolean) =>
    rows.filter((row) => row.is_active === active).reduce((sum, row) => sum + row.n, 0);
  return {
    total: count(true) + count(false),
    by_plan: byPlan,
    active: count(true),
    inactive: count(false),
  };
}
