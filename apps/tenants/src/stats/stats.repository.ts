import { Injectable } from '@nestjs/common';

import { type AcrossTenants, type InTenant, TenantScopedRepository } from '@tenantbot/database';

export interface CountByRole {
  role: string;
  n: number;
}

export interface CountByPlan {
  plan: string;
  is_active: boolean;
  n: number;
}

/** Counts of the rows a scope sees: one tenant's, or the platform's. */
@Injectable()
export class StatsRepository extends TenantScopedRepository {
  async usersByRole(scope: InTenant | AcrossTenants): Promise<CountByRole[]> {
    const rows = await this.query(scope, (db) =>
      db
        .selectFrom('users')
        .select((eb) => ['role', eb.fn.countAll().as('n')])
        .groupBy('role')
        .execute(),
    );
    return rows.map((row) => ({ role: row.role, n: Number(row.n) }));
  }

  async tenantsByPlan(platform: AcrossTenants): Promise<CountByPlan[]> {
    const rows = await this.query(platform, (db) =>
      db
        .selectFrom('tenants')
        .select((eb) => ['plan', 'is_active', eb.fn.countAll().as('n')])
        .groupBy(['plan', 'is_active'])
        .execute(),
    );
    return rows.map((row) => ({ plan: row.plan, is_active: row.is_active, n: Number(row.n) }));
  }
}
