import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { CompiledQuery } from 'kysely';
import type { Pool } from 'pg';

import { type TenantId, tenantIdOf } from '@tenantbot/contracts';

import type { DatabaseOptions } from './database-options';
import { DATABASE_OPTIONS } from './database-options.token';
import { inlineParameters } from './inline-parameters';
import { createPool } from './postgres-pool';
import { inTransaction } from './scoped-connection';
import { ScopedTransaction } from './scoped-transaction';

/**
 * The app role's database: every query runs in one tenant's scope, with row-level security
 * under it. Services open a unit of work with `transaction`; repositories (extending
 * `TenantScopedRepository`) run their queries through it. There is no way here to query
 * without a tenant.
 */
@Injectable()
export class TenantDatabase implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    this.pool = createPool(options.appUrl, options.poolSize, options.applicationName);
  }

  /**
   * A unit of work of one tenant: the repository calls given `tx` run in one transaction,
   * committed when `work` resolves, rolled back when it throws.
   */
  transaction<T>(tenantId: TenantId, work: (tx: ScopedTransaction) => Promise<T>): Promise<T> {
    const checked = tenantIdOf(tenantId); // the brand is a compile-time promise; check it anyway
    return inTransaction(this.pool, tenantScopeStatement(checked), (queries) =>
      work(new ScopedTransaction(checked, queries)),
    );
  }

  /**
   * One statement of the tenant in one round trip: the scope and the statement go to Postgres
   * as one simple query, which it runs as one implicit transaction, so the setting ends with
   * it. A simple query has no parameters: the statement's values are inlined as literals
   * (`inlineParameters`). For hot reads (a search), where BEGIN, COMMIT and the scope would
   * otherwise cost a round trip each.
   */
  async statement<Row>(tenantId: TenantId, query: CompiledQuery<Row>): Promise<Row[]> {
    const text = `${tenantScopeStatement(tenantIdOf(tenantId))}; ${inlineParameters(query)}`;
    const client = await this.pool.connect();
    try {
      const results: unknown = await client.query(text);
      if (!Array.isArray(results) || results.length !== 2) {
        throw new Error('a statement must be exactly one SQL statement');
      }
      const [, statement] = results;
      return statement.rows;
    } finally {
      client.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

/** Sets the tenant until the end of the transaction. The id is checked to be a UUID. */
function tenantScopeStatement(tenantId: TenantId): string {
  return `SELECT set_config('app.tenant_id', '${tenantId}', true)`;
}
