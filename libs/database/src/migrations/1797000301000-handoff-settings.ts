import type { MigrationInterface, QueryRunner } from 'typeorm';

import { PLATFORM_ROLE } from '../connection-url';
import { tenantTableSecuritySql } from '../row-level-security';

/**
 * A tenant's handoff policy: its own phrases that ask for a person (besides or instead of the
 * default list), and whether two answers in a row the bot could not ground hand over. A tenant
 * without a row has the defaults (default phrases, no handoff on ungrounded answers).
 */
export class HandoffSettings1797000301000 implements MigrationInterface {
  name = 'HandoffSettings1797000301000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE handoff_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        phrases text[] NOT NULL DEFAULT '{}' CHECK (cardinality(phrases) <= 100),
        use_default_phrases boolean NOT NULL DEFAULT true,
        on_ungrounded boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const sql of tenantTableSecuritySql('handoff_settings', PLATFORM_ROLE)) {
      await db.query(sql);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS handoff_settings`);
  }
}
