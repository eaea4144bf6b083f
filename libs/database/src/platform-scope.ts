import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Kysely, PostgresDialect } from 'kysely';
import type { Pool } from 'pg';

import type { DatabaseOptions } from './database-options';
import { DATABASE_OPTIONS } from './database-options.token';
import { createPool } from './postgres-pool';
import type { Schema } from './schema';
import { inTransaction } from './scoped-connection';
import { bindQueries, PlatformTransaction } from './scoped-transaction';

/**
 * Reads and writes across tenants, as the platform role (`tenantbot_platform`), which the
 * tenant policies let through by name: authentication and tenant resolution (a login by slug,
 * a request's Host, an API key), and the super admin's platform views. Provided only by
 * `PlatformDatabaseModule`, so the module graph shows, and limits, who may cross tenants.
 *
 * A repository method that crosses tenants takes it (or a `PlatformTransaction`) as its first
 * parameter, as a tenant's method takes a `TenantId`: `tenants.findBySlug(this.platform, slug)`.
 */
@Injectable()
export class PlatformScope implements OnModuleDestroy {
  private readonly pool: Pool;
  private readonly db: Kysely<Schema>;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    this.pool = createPool(
      options.platformUrl,
      options.poolSize,
      `${options.applicationName}-platform`,
    );
    this.db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: this.pool }) });
    // Outside a transaction, each query of the scope is a transaction of its own.
    bindQueries(this, this.db);
  }

  /** Several platform queries in one transaction. */
  transaction<T>(work: (tx: PlatformTransaction) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, undefined, (queries) => work(new PlatformTransaction(queries)));
  }

  async onModuleDestroy(): Promise<void> {
    await this.db.destroy();
  }
}

/** What a cross-tenant repository method takes: the scope itself, or one of its transactions. */
export type AcrossTenants = PlatformScope | PlatformTransaction;
