import type { EntityManager } from 'typeorm';

import type { ReportScope } from '@tenantbot/tenant-context';

import type { TenantScope } from './tenant-scope';

/**
 * One tenant's transaction: `app.tenant_id` is set, row-level security sees only that tenant.
 * (A super admin's platform report runs in the platform scope instead: see `inReportScope`.)
 */
export class TenantTransaction {
  constructor(private readonly manager: EntityManager) {}

  /** The rows a statement returns (TypeORM answers UPDATE/DELETE with `[rows, count]`). */
  async rows<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const result: unknown = await this.manager.query(sql, parameters);
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
      return result[0] as T[];
    }
    return result as T[];
  }

  async one<T>(sql: string, parameters: unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(sql, parameters))[0];
  }
}

/** Runs work in the tenant's scope; repositories only ever receive such a transaction. */
export function inTenant<T>(
  scope: TenantScope,
  tenantId: string,
  work: (tx: TenantTransaction) => Promise<T>,
): Promise<T> {
  return scope.run(tenantId, (manager) => work(new TenantTransaction(manager)));
}

/** Runs a report in its scope: the tenant's, or across tenants for the super admin's platform view. */
export function inReportScope<T>(
  scope: TenantScope,
  report: ReportScope,
  work: (tx: TenantTransaction) => Promise<T>,
): Promise<T> {
  return report.kind === 'tenant'
    ? inTenant(scope, report.tenantId, work)
    : scope.runAcrossTenants((manager) => work(new TenantTransaction(manager)));
}

/**
 * The SQL condition that confines a report query to its tenant (`true` for the platform).
 * Row-level security confines it already; saying so also lets the planner use the tenant's
 * indexes.
 */
export function tenantCondition(
  report: ReportScope,
  parameter: number,
  column = 'tenant_id',
): { sql: string; parameters: string[] } {
  return report.kind === 'tenant'
    ? { sql: `${column} = $${parameter}`, parameters: [report.tenantId] }
    : { sql: 'true', parameters: [] };
}
