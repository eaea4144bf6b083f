import type { MigrationInterface, QueryRunner } from 'typeorm';

import { PLATFORM_ROLE } from '../connection-url';
import { tenantTableSecuritySql } from '../row-level-security';

/**
 * Webhooks: a tenant's endpoints (the signing secret encrypted with the tenants service's
 * ENCRYPTION_KEY) and one row per delivery attempt, kept for the deliveries route. Feedback:
 * one rating per assistant message (a repeat updates it).
 */
export class WebhooksAndFeedback1797000600000 implements MigrationInterface {
  name = 'WebhooksAndFeedback1797000600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        url text NOT NULL CHECK (length(url) <= 2048),
        events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
        secret_ciphertext text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at, id)`);
    for (const sql of tenantTableSecuritySql('webhooks', PLATFORM_ROLE)) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        attempt integer NOT NULL CHECK (attempt >= 1),
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'refused')),
        response_status integer,
        error text CHECK (length(error) <= 1000),
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX webhook_deliveries_latest ON webhook_deliveries (webhook_id, created_at DESC, id)`,
    );
    for (const sql of tenantTableSecuritySql('webhook_deliveries', PLATFORM_ROLE)) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE message_feedback (
        message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL,
        rating text NOT NULL CHECK (rating IN ('up', 'down')),
        comment text CHECK (length(comment) <= 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX message_feedback_tenant ON message_feedback (tenant_id, created_at)`,
    );
    for (const sql of tenantTableSecuritySql('message_feedback', PLATFORM_ROLE)) {
      await db.query(sql);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS message_feedback`);
    await db.query(`DROP TABLE IF EXISTS webhook_deliveries`);
    await db.query(`DROP TABLE IF EXISTS webhooks`);
  }
}
