import type { TenantScope } from '@tenantbot/database';
import type { EntityManager } from 'typeorm';

/** One tenant's transaction: `app.tenant_id` is set, row-level security sees only that tenant. */
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

/**
 * Every query of a tenant-scoped repository runs in `TenantScope.run`, and the tenant is a
 * required argument of each method: a query without its tenant does not compile, and row-level
 * security stops the one that forgets its filter.
 */
export abstract class TenantScopedRepository {
  constructor(private readonly scope: TenantScope) {}

  protected inTenant<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>) {
    return this.scope.run(tenantId, (manager) => work(new TenantTransaction(manager)));
  }
}
