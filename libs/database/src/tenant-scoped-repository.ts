import { Injectable } from '@nestjs/common';
import {
  type Compilable,
  type DatabaseConnection,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';

import { type TenantId, tenantIdOf } from '@tenantbot/contracts';

import type { AcrossTenants } from './platform-scope';
import type { Queries, Schema } from './schema';
import { queriesOf, ScopedTransaction } from './scoped-transaction';
import { TenantDatabase } from './tenant-database';

/** A tenant's id (a transaction of its own per call), or a unit of work already bound to one. */
export type InTenant = TenantId | ScopedTransaction;

/**
 * The tenant of a scope, or `undefined` for the platform's. For a report that serves both: its
 * query still says `tenant_id = …` for a tenant (row-level security confines it anyway; saying
 * so lets the planner use the tenant's indexes).
 *
 * ```ts
 * const tenantId = tenantOfScope(scope);
 * let query = db.selectFrom('documents').select(…);
 * if (tenantId) query = query.where('tenant_id', '=', tenantId);
 * ```
 */
export function tenantOfScope(scope: InTenant | AcrossTenants): TenantId | undefined {
  if (typeof scope === 'string') {
    return scope;
  }
  return scope instanceof ScopedTransaction ? scope.tenantId : undefined;
}

/**
 * The base of every repository. Its queries reach the database only through `query`, which
 * takes the tenant (or a transaction bound to one) or a platform scope: a query without one
 * does not compile, and row-level security under it confines what it sees anyway.
 *
 * ```ts
 * @Injectable()
 * export class DocumentRepository extends TenantScopedRepository {
 *   findById(tenant: InTenant, id: string): Promise<Row<'documents'> | undefined> {
 *     return this.query(tenant, (db) =>
 *       db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst(),
 *     );
 *   }
 * }
 * ```
 */
@Injectable()
export abstract class TenantScopedRepository {
  constructor(private readonly database: TenantDatabase) {}

  /**
   * Runs the queries of `work` in the scope: the given transaction's, a transaction of its own
   * for a bare `TenantId`, or the platform role's connection for a platform scope.
   */
  protected async query<T>(
    scope: InTenant | AcrossTenants,
    work: (db: Queries) => Promise<T>,
  ): Promise<T> {
    if (typeof scope === 'object') {
      return work(queriesOf(scope));
    }
    return this.database.transaction(tenantIdOf(scope), (tx) => work(queriesOf(tx)));
  }

  /**
   * One read in one round trip (`TenantDatabase.statement`): for the hot paths. Build the
   * query on the `db` given, which compiles but cannot run anything itself.
   *
   * ```ts
   * this.statement(tenantId, (db) => db.selectFrom('chunks').select(['id', 'text']).where('id', 'in', ids))
   * this.statement(tenantId, () => sql<Ranked>`WITH ... SELECT ...`)
   * ```
   */
  protected statement<Row>(
    tenantId: TenantId,
    build: (db: Kysely<Schema>) => Compilable<Row> | RawBuilder<Row>,
  ): Promise<Row[]> {
    const query = build(QUERY_BUILDER);
    return this.database.statement(
      tenantId,
      isRawBuilder(query) ? query.compile(QUERY_BUILDER) : query.compile(),
    );
  }
}

function isRawBuilder<Row>(query: Compilable<Row> | RawBuilder<Row>): query is RawBuilder<Row> {
  return 'isRawBuilder' in query && query.isRawBuilder;
}

class CompileOnlyDriver extends DummyDriver {
  override acquireConnection(): Promise<DatabaseConnection> {
    return Promise.reject(
      new Error("a statement's query is built, not run: return it from the callback"),
    );
  }
}

/** Kysely without a connection: builds and compiles PostgreSQL; running a query throws. */
const QUERY_BUILDER = new Kysely<Schema>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new CompileOnlyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
