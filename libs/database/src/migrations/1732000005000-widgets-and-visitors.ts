import type { MigrationInterface, QueryRunner } from 'typeorm';

import { tenantIsolationOncePerStatementSql, tenantIsolationSql } from '../row-level-security';

/**
 * The web channel: a tenant's website widgets (a public key, the exact origins allowed to use
 * it, branding and limits), and conversations owned by a widget's visitor. A visitor id is a
 * random id the API issued to one browser, not a user: no foreign key, like the other owners.
 */
export class WidgetsAndVisitors1732000005000 implements MigrationInterface {
  name = 'WidgetsAndVisitors1732000005000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE widgets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        public_key text NOT NULL UNIQUE CHECK (public_key ~ '^pk_[A-Za-z0-9_-]{24}$'),
        allowed_origins text[] NOT NULL CHECK (cardinality(allowed_origins) BETWEEN 1 AND 50),
        assistant_id uuid,
        branding jsonb NOT NULL DEFAULT '{}',
        limits jsonb NOT NULL DEFAULT '{}',
        handoff_enabled boolean NOT NULL DEFAULT false,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX widgets_tenant ON widgets (tenant_id, created_at, id)`);
    // CORS preflights ask whether any active widget allows an origin.
    await db.query(`CREATE INDEX widgets_origins ON widgets USING gin (allowed_origins)`);
    for (const sql of tenantIsolationSql('widgets')) {
      await db.query(sql);
    }
    await db.query(tenantIsolationOncePerStatementSql('widgets'));

    await db.query(
      `ALTER TABLE conversations ADD COLUMN visitor_id text, ADD COLUMN widget_id uuid`,
    );
    await db.query(`ALTER TABLE conversations DROP CONSTRAINT conversations_check`);
    await db.query(`
      ALTER TABLE conversations ADD CONSTRAINT conversations_has_owner CHECK (
        user_id IS NOT NULL OR api_key_id IS NOT NULL
        OR (visitor_id IS NOT NULL AND widget_id IS NOT NULL))`);
    await db.query(
      `CREATE INDEX conversations_by_visitor ON conversations (tenant_id, widget_id, visitor_id, updated_at DESC, id) WHERE visitor_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM conversations WHERE visitor_id IS NOT NULL`);
    await db.query(`ALTER TABLE conversations DROP CONSTRAINT conversations_has_owner`);
    await db.query(
      `ALTER TABLE conversations ADD CONSTRAINT conversations_check CHECK (user_id IS NOT NULL OR api_key_id IS NOT NULL)`,
    );
    await db.query(`ALTER TABLE conversations DROP COLUMN visitor_id, DROP COLUMN widget_id`);
    await db.query(`DROP TABLE IF EXISTS widgets`);
  }
}
