/**
 * Row-level security: a row is visible and writable only inside a transaction whose
 * `app.tenant_id` is the row's tenant, or in the platform scope of the super admin. Outside
 * both, the setting reads '' (or NULL), NULLIF turns it into NULL and nothing matches.
 */
export const CURRENT_TENANT = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
export const PLATFORM_SCOPE = `current_setting('app.platform_scope', true) = 'on'`;

/** The first form of the policy (migrations up to 1732000003000 create it). */
export function tenantIsolationSql(table: string, tenantColumn = 'tenant_id'): string[] {
  const rule = `(${tenantColumn} = ${CURRENT_TENANT} OR ${PLATFORM_SCOPE})`;
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table} USING ${rule} WITH CHECK ${rule}`,
  ];
}

/**
 * The same rule with each setting read once per statement: as scalar subqueries they become
 * init plans, where the first form parsed the setting again for every row it checked (a
 * tenant's full-text search checks each of its chunks).
 */
export function tenantIsolationOncePerStatementSql(
  table: string,
  tenantColumn = 'tenant_id',
): string {
  const rule =
    `(${tenantColumn} = (SELECT ${CURRENT_TENANT})` +
    ` OR (SELECT current_setting('app.platform_scope', true)) = 'on')`;
  return `ALTER POLICY tenant_isolation ON ${table} USING ${rule} WITH CHECK ${rule}`;
}

/**
 * The policies since the platform role (migration 1796600000000): `tenant_isolation` reads only
 * `app.tenant_id`, and a second policy lets the platform role, and it alone, see and write
 * every tenant's rows. No session setting opens anything any more: the app role cannot become
 * the platform role (it is not a member, and `SET SESSION AUTHORIZATION` needs a superuser).
 * A policy `TO` a role costs the app role's queries nothing: Postgres leaves it out of their
 * plans, where the former `OR platform_scope` was checked on every one.
 */
export function tenantOnlyIsolationSql(table: string, tenantColumn = 'tenant_id'): string {
  const rule = `(${tenantColumn} = (SELECT ${CURRENT_TENANT}))`;
  return `ALTER POLICY tenant_isolation ON ${table} USING ${rule} WITH CHECK ${rule}`;
}

export function platformAccessSql(table: string, platformRole: string): string {
  return `CREATE POLICY platform_access ON ${table} TO ${platformRole} USING (true) WITH CHECK (true)`;
}

/**
 * Row-level security for a new tenant table, in its current form: the tenant's rows only, and
 * every row for the platform role. What a migration adding a table with `tenant_id` runs.
 */
export function tenantTableSecuritySql(
  table: string,
  platformRole: string,
  tenantColumn = 'tenant_id',
): string[] {
  const rule = `(${tenantColumn} = (SELECT ${CURRENT_TENANT}))`;
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table} USING ${rule} WITH CHECK ${rule}`,
    platformAccessSql(table, platformRole),
  ];
}
