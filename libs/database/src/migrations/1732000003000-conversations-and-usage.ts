import type { MigrationInterface, QueryRunner } from 'typeorm';

import { tenantIsolationSql } from '../row-level-security';

/**
 * The chat service's conversations and messages, and one usage record per exchange (the
 * admin service aggregates them). Owners are plain ids, not foreign keys: a conversation of
 * a deleted user stays visible to the tenant's admins, and usage records must outlive both
 * the owner and the conversation for billing. `(tenant_id, conversation_id)` references the
 * conversation, so a message can never belong to another tenant than its conversation.
 */
export class ConversationsAndUsage1732000003000 implements MigrationInterface {
  name = 'ConversationsAndUsage1732000003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        user_id uuid,
        api_key_id uuid,
        title text NOT NULL CHECK (length(title) <= 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id),
        CHECK (user_id IS NOT NULL OR api_key_id IS NOT NULL)
      )`);
    await db.query(
      `CREATE INDEX conversations_by_user ON conversations (tenant_id, user_id, updated_at DESC, id) WHERE user_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX conversations_by_api_key ON conversations (tenant_id, api_key_id, updated_at DESC, id) WHERE api_key_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX conversations_listing ON conversations (tenant_id, updated_at DESC, id)`,
    );
    for (const sql of tenantIsolationSql('conversations')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('user', 'assistant')),
        content text NOT NULL,
        sources jsonb NOT NULL DEFAULT '[]',
        model text,
        input_tokens integer CHECK (input_tokens >= 0),
        output_tokens integer CHECK (output_tokens >= 0),
        cost_usd numeric(12, 6) CHECK (cost_usd >= 0),
        latency_ms integer CHECK (latency_ms >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, conversation_id)
          REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
      )`);
    // seq orders the two messages of one exchange, which share the transaction's now().
    await db.query(`CREATE INDEX messages_in_order ON messages (conversation_id, seq)`);
    await db.query(`CREATE INDEX messages_tenant ON messages (tenant_id, created_at)`);
    for (const sql of tenantIsolationSql('messages')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE usage_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        user_id uuid,
        api_key_id uuid,
        conversation_id uuid,
        request_id text NOT NULL,
        model text NOT NULL,
        provider text NOT NULL CHECK (provider IN ('openai', 'anthropic', 'local')),
        input_tokens integer NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
        output_tokens integer NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
        cost_usd numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
        latency_ms integer NOT NULL CHECK (latency_ms >= 0),
        outcome text NOT NULL CHECK (outcome IN ('ok', 'error', 'fallback')),
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- an error names its code; a fallback may name what made the first model fail
        CHECK (outcome = 'fallback' OR (outcome = 'error') = (error_code IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX usage_by_time ON usage_records (tenant_id, created_at)`);
    await db.query(
      `CREATE INDEX usage_by_user ON usage_records (tenant_id, user_id, created_at) WHERE user_id IS NOT NULL`,
    );
    await db.query(`CREATE INDEX usage_platform_by_time ON usage_records (created_at)`);
    for (const sql of tenantIsolationSql('usage_records')) {
      await db.query(sql);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['usage_records', 'messages', 'conversations']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
