import { inTenant, type TenantScope, type TenantTransaction } from '@tenantbot/database';

/**
 * Every query of a tenant-scoped repository runs in `TenantScope.run`, and the tenant is a
 * required argument of each method: a query without its tenant does not compile, and row-level
 * security stops the one that forgets its filter.
 */
export abstract class TenantScopedRepository {
  constructor(private readonly scope: TenantScope) {}

  protected inTenant<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>) {
    return inTenant(this.scope, tenantId, work);
  }

  /** One read in one round trip, its values as `sqlLiteral`s (see `TenantScope.statement`). */
  protected statement<T>(tenantId: string, sql: string): Promise<T[]> {
    return this.scope.statement<T>(tenantId, sql);
  }
}
