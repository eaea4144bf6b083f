import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Human handoff: a conversation has a state (`bot` → `waiting_human` → `human` → `closed`, back
 * to `bot` on release), the agent it is assigned to and the channel it started on; a message
 * has an author and may be an agent's reply or a system notice, or an internal note (agents
 * only). The timestamps of the last handoff feed the admin's stats (time to claim).
 * Existing conversations are the bot's; their users' messages get their owner as author.
 */
export class ConversationHandoff1797000300000 implements MigrationInterface {
  name = 'ConversationHandoff1797000300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE conversations
        ADD COLUMN status text NOT NULL DEFAULT 'bot'
          CHECK (status IN ('bot', 'waiting_human', 'human', 'closed')),
        ADD COLUMN assigned_agent_id uuid,
        ADD COLUMN channel text NOT NULL DEFAULT 'api'
          CHECK (channel IN ('api', 'websocket', 'widget')),
        ADD COLUMN handoff_requested_at timestamptz,
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN closed_at timestamptz,
        ADD CONSTRAINT conversations_human_has_agent
          CHECK (status <> 'human' OR assigned_agent_id IS NOT NULL)`);
    // The inbox: a tenant's conversations waiting for (or with) a person, oldest request first.
    await db.query(
      `CREATE INDEX conversations_inbox ON conversations (tenant_id, status, handoff_requested_at, id) WHERE status IN ('waiting_human', 'human')`,
    );

    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_role_check`);
    await db.query(`
      ALTER TABLE messages
        ADD CONSTRAINT messages_role_check
          CHECK (role IN ('user', 'assistant', 'agent', 'system')),
        ADD COLUMN author_id text,
        ADD COLUMN internal boolean NOT NULL DEFAULT false,
        ADD CONSTRAINT messages_internal_is_system CHECK (NOT internal OR role = 'system')`);

    // The backfill runs as the tables' owner, which FORCE confines like any role (RDS).
    await db.query(`ALTER TABLE messages NO FORCE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE conversations NO FORCE ROW LEVEL SECURITY`);
    await db.query(`
      UPDATE messages SET author_id = coalesce(c.user_id::text, c.api_key_id::text, c.visitor_id)
        FROM conversations c
       WHERE c.id = messages.conversation_id AND messages.role = 'user'`);
    await db.query(`ALTER TABLE conversations FORCE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE messages FORCE ROW LEVEL SECURITY`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM messages WHERE role NOT IN ('user', 'assistant')`);
    await db.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_internal_is_system,
        DROP CONSTRAINT messages_role_check,
        DROP COLUMN internal,
        DROP COLUMN author_id`);
    await db.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant'))`,
    );
    await db.query(`DROP INDEX conversations_inbox`);
    await db.query(`
      ALTER TABLE conversations
        DROP CONSTRAINT conversations_human_has_agent,
        DROP COLUMN closed_at,
        DROP COLUMN claimed_at,
        DROP COLUMN handoff_requested_at,
        DROP COLUMN channel,
        DROP COLUMN assigned_agent_id,
        DROP COLUMN status`);
  }
}
