import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { createDataSource } from './data-source';
import { platformConnectionUrl, serviceDatabaseEnvSchema } from './database-config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant-scoped unit of work. Every query of a tenant runs inside a transaction that
 * first sets `app.tenant_id` with `set_config(..., true)` (SET LOCAL) on the same connection,
 * so row-level security sees only that tenant and the setting dies with the transaction: a
 * pooled connection never carries a tenant into the next request.
 */
export class TenantScope {
  private platformDataSource?: Promise<DataSource>;
  private ownsPlatformDataSource = false;

  /**
   * @param platform the platform role's data source for `runAcrossTenants`; when not given,
   * one is opened on first use from the environment (`platformConnectionUrl`), so that the
   * apps that still build `new TenantScope(dataSource)` keep working until they move to
   * `PlatformScope`.
   */
  constructor(
    private readonly dataSource: DataSource,
    platform?: DataSource,
  ) {
    if (platform) {
      this.platformDataSource = Promise.resolve(platform);
    }
  }

  run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!UUID.test(tenantId)) {
      return Promise.reject(invalidTenant());
    }
    return this.transaction(tenantScopeStatement(tenantId), work);
  }

  /**
   * One statement of the tenant in one round trip. The scope and the statement go to Postgres
   * as one simple query, which it runs as one implicit transaction: the setting ends with it,
   * as with `run`. A simple query has no parameters, so the statement carries its values as
   * `sqlLiteral`s. For the reads of a search, which is otherwise four round trips (BEGIN and
   * scope, full-text ranking, rows, COMMIT), each costing a socket write on both sides.
   */
  async statement<T>(tenantId: string, sql: string): Promise<T[]> {
    if (!UUID.test(tenantId)) {
      throw invalidTenant();
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const results = (await client.query(
        `${tenantScopeStatement(tenantId)}; ${sql}`,
      )) as unknown as QueryResult[];
      return results[1].rows as T[];
    } finally {
      await runner.release();
    }
  }

  /**
   * Platform work of the super admin and of tenant resolution (login by slug, a request's
   * Host): sees every tenant's rows, as the platform role. Only code paths that checked the
   * caller may use it.
   * @deprecated inject `PlatformScope` (from `PlatformDatabaseModule`) instead.
   */
  async runAcrossTenants<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const platform = await this.platform();
    return platform.transaction(work);
  }

  /** Closes the platform data source this scope opened itself. */
  async destroy(): Promise<void> {
    if (!this.ownsPlatformDataSource) {
      return;
    }
    const platform = await this.platformDataSource;
    if (platform?.isInitialized) {
      await platform.destroy();
    }
  }

  private platform(): Promise<DataSource> {
    if (this.platformDataSource) {
      return this.platformDataSource;
    }
    this.ownsPlatformDataSource = true;
    this.platformDataSource = createDataSource({
      url: platformConnectionUrl(serviceDatabaseEnvSchema.parse(process.env)),
      poolSize: Math.min(4, Number(this.dataSource.options.extra?.max ?? 4)),
      applicationName: 'tenantbot-platform',
    }).initialize();
    return this.platformDataSource;
  }

  /**
   * A transaction whose first round trip both begins it and sets its scope, as one simple
   * query (TypeORM's own transaction would spend one on BEGIN alone). Tenant work is mostly a
   * few short statements, each about as costly as a round trip on loopback, so a search or an
   * ingestion step is measurably faster for it (bench/README.md).
   */
  private async transaction<T>(
    scopeStatement: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query(`BEGIN; ${scopeStatement}`);
      let result: T;
      try {
        result = await work(runner.manager);
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await runner.query('COMMIT');
      return result;
    } finally {
      await runner.release();
    }
  }
}

/** Sets the tenant until the end of the transaction. The id must be checked to be a UUID. */
function tenantScopeStatement(tenantId: string): string {
  return `SELECT set_config('app.tenant_id', '${tenantId}', true)`;
}

function invalidTenant(): DomainError {
  return new DomainError(ErrorCode.TENANT_REQUIRED, 'a valid tenant id is required');
}
