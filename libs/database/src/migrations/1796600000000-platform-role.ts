import type { MigrationInterface, QueryRunner } from 'typeorm';

import { PLATFORM_ROLE } from '../connection-url';
import {
  platformAccessSql,
  tenantIsolationOncePerStatementSql,
  tenantOnlyIsolationSql,
} from '../row-level-security';

/** Every table under row-level security, with the column that names its tenant. */
const TENANT_TABLES: [table: string, tenantColumn?: string][] = [
  ['tenants', 'id'],
  ['tenant_domains'],
  ['users'],
  ['refresh_tokens'],
  ['api_keys'],
  ['documents'],
  ['chunks'],
  ['conversations'],
  ['messages'],
  ['usage_records'],
  ['widgets'],
  ['chunk_terms'],
  ['chunk_term_counts'],
  ['chunk_corpus_counts'],
];

/**
 * Reads across tenants by a separate database role instead of a session setting: before, any
 * statement of the app role could `set_config('app.platform_scope', 'on')` and see every
 * tenant. The role is created here (cluster-wide, NOLOGIN until the migrator gives it a login
 * and a password) because the policies name it; `platform_access` lets it through, and
 * `tenant_isolation` no longer reads `app.platform_scope`. A policy on the role rather than
 * BYPASSRLS: on RDS the master user is no superuser and cannot grant BYPASSRLS.
 */
export class PlatformRole1796600000000 implements MigrationInterface {
  name = 'PlatformRole1796600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PLATFORM_ROLE}') THEN
          CREATE ROLE ${PLATFORM_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by the migrator of another database of the cluster
      END $$`);
    for (const [table, column] of TENANT_TABLES) {
      await db.query(tenantOnlyIsolationSql(table, column));
      await db.query(platformAccessSql(table, PLATFORM_ROLE));
    }
  }

  async down(db: QueryRunner): Promise<void> {
    // The role stays: it belongs to the cluster, and other databases may name it.
    for (const [table, column] of TENANT_TABLES) {
      await db.query(`DROP POLICY platform_access ON ${table}`);
      await db.query(tenantIsolationOncePerStatementSql(table, column));
    }
  }
}
