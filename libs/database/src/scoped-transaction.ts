import type { TenantId } from '@tenantbot/contracts';

import type { Queries } from './schema';

// The queries of a scope are reachable only from inside this lib (the repository base): a
// service holds a transaction or the platform scope and passes it on, but cannot write SQL
// with it.
const queriesOfScope = new WeakMap<object, Queries>();

/** @internal */
export function bindQueries(scope: object, queries: Queries): void {
  queriesOfScope.set(scope, queries);
}

/** @internal the queries of a scope, for the repository base */
export function queriesOf(scope: object): Queries {
  const queries = queriesOfScope.get(scope);
  if (!queries) {
    throw new Error('not a scope of this database');
  }
  return queries;
}

/**
 * One tenant's open transaction (`TenantDatabase.transaction`): `app.tenant_id` is set on its
 * connection, row-level security sees only that tenant. Pass it to repository methods to run
 * them in this unit of work.
 */
export class ScopedTransaction {
  // A private member makes the class nominal: no other object passes for one.
  private readonly scope = 'tenant';

  /** @internal built by `TenantDatabase` only */
  constructor(
    readonly tenantId: TenantId,
    queries: Queries,
  ) {
    bindQueries(this, queries);
  }
}

/**
 * A platform transaction (`PlatformScope.transaction`): the platform role's connection, which
 * row-level security lets see every tenant.
 */
export class PlatformTransaction {
  private readonly scope = 'platform';

  /** @internal built by `PlatformScope` only */
  constructor(queries: Queries) {
    bindQueries(this, queries);
  }
}
