import type { MigrationInterface, QueryRunner } from 'typeorm';

import { PLATFORM_ROLE } from '../connection-url';
import { tenantTableSecuritySql } from '../row-level-security';

/**
 * A tenant's assistants (owned by the chat service, ADR "assistants"): a prompt, a model, who
 * may use it and which documents it may cite. Exactly one is the tenant's default; every
 * existing tenant gets one here, inheriting the tenant's system prompt (`system_prompt` null),
 * usable by every role and its widgets, so existing clients keep working unchanged. Documents
 * gain `tags`, which an assistant's knowledge may be scoped by; a conversation remembers its
 * assistant.
 */
export class AssistantsAndDocumentTags1797000200000 implements MigrationInterface {
  name = 'AssistantsAndDocumentTags1797000200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE assistants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
        description text NOT NULL DEFAULT '',
        system_prompt text,
        model text,
        temperature double precision CHECK (temperature BETWEEN 0 AND 2),
        roles text[] NOT NULL CHECK (cardinality(roles) >= 1),
        widgets_allowed boolean NOT NULL DEFAULT false,
        knowledge_document_ids uuid[],
        knowledge_tags text[],
        greeting text NOT NULL DEFAULT '',
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX assistants_slug ON assistants (tenant_id, slug)`);
    await db.query(
      `CREATE UNIQUE INDEX assistants_one_default ON assistants (tenant_id) WHERE is_default`,
    );
    for (const sql of tenantTableSecuritySql('assistants', PLATFORM_ROLE)) {
      await db.query(sql);
    }
    await db.query(`ALTER TABLE assistants NO FORCE ROW LEVEL SECURITY`);
    await db.query(`
      INSERT INTO assistants (tenant_id, name, slug, roles, widgets_allowed, is_default)
      SELECT id, 'Assistant', 'assistant', ARRAY['tenant_admin', 'agent', 'user', 'readonly'],
             true, true
        FROM tenants`);
    await db.query(`ALTER TABLE assistants FORCE ROW LEVEL SECURITY`);

    await db.query(`ALTER TABLE documents ADD COLUMN tags text[] NOT NULL DEFAULT '{}'`);
    await db.query(`CREATE INDEX documents_tags ON documents USING gin (tags)`);

    await db.query(`
      ALTER TABLE conversations
        ADD COLUMN assistant_id uuid,
        ADD CONSTRAINT conversations_assistant FOREIGN KEY (tenant_id, assistant_id)
          REFERENCES assistants (tenant_id, id) ON DELETE SET NULL (assistant_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE conversations DROP COLUMN assistant_id`);
    await db.query(`ALTER TABLE documents DROP COLUMN tags`);
    await db.query(`DROP TABLE assistants`);
  }
}
