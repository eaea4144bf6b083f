import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { DataSource, EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant-scoped unit of work. Every query of a tenant runs inside a transaction that
 * first sets `app.tenant_id` with `set_config(..., true)` (the parameterised form of
 * SET LOCAL) on the same connection, so row-level security sees only that tenant and the
 * setting dies with the transaction: a pooled connection never carries a tenant into the
 * next request.
 */
export class TenantScope {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!UUID.test(tenantId)) {
      return Promise.reject(
        new DomainError(ErrorCode.TENANT_REQUIRED, 'a valid tenant id is required'),
      );
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  }

  /**
   * Platform work of the super admin and of tenant resolution (login by slug, a request's
   * Host): sees every tenant's rows. Only code paths that checked the caller may use it.
   */
  runAcrossTenants<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.platform_scope', 'on', true)`);
      return work(manager);
    });
  }
}
