import { Injectable } from '@nestjs/common';

import type { PlatformCaller, TenantsStats } from '@tenantbot/contracts';
import { PlatformScope } from '@tenantbot/database';

import { requireRole, requireTenant } from '../security/caller';
import { type CountByPlan, type CountByRole, StatsRepository } from './stats.repository';

/**
 * Counts for the admin service: of the caller's tenant, or of the whole platform for a super
 * admin who names no tenant.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly platform: PlatformScope,
    private readonly counts: StatsRepository,
  ) {}

  async stats(caller: PlatformCaller): Promise<TenantsStats> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    if (caller.role === 'super_admin' && !caller.tenantId) {
      return this.platform.transaction(async (db) => ({
        tenants: tenantsSummary(await this.counts.tenantsByPlan(db)),
        users: usersSummary(await this.counts.usersByRole(db)),
      }));
    }
    return { users: usersSummary(await this.counts.usersByRole(requireTenant(caller))) };
  }
}

function usersSummary(rows: CountByRole[]): TenantsStats['users'] {
  return {
    total: rows.reduce((sum, row) => sum + row.n, 0),
    by_role: Object.fromEntries(rows.map((row) => [row.role, row.n])),
  };
}

function tenantsSummary(rows: CountByPlan[]): NonNullable<TenantsStats['tenants']> {
  const byPlan: Record<string, number> = {};
  for (const row of rows) {
    byPlan[row.plan] = (byPlan[row.plan] ?? 0) + row.n;
  }
  const count = (active: boolean) =>
    rows.filter((row) => row.is_active === active).reduce((sum, row) => sum + row.n, 0);
  return {
    total: count(true) + count(false),
    by_plan: byPlan,
    active: count(true),
    inactive: count(false),
  };
}
