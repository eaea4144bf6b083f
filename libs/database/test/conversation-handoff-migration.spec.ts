import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, QueryRunner } from 'typeorm';

import { createDataSource } from '../src';
import { ConversationHandoff1797000300000 } from '../src/migrations/1797000300000-conversation-handoff';
import { HandoffSettings1797000301000 } from '../src/migrations/1797000301000-handoff-settings';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/** Replayed inside one owner transaction that is rolled back: nothing of it stays. */
describe('migration ConversationHandoff on conversations that existed before it', () => {
  let owner: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    owner = await createDataSource({ url: ownerUrl, poolSize: 1 }).initialize();
    runner = owner.createQueryRunner();
    await runner.startTransaction();
  });

  afterAll(async () => {
    await runner?.rollbackTransaction();
    await runner?.release();
    await owner?.destroy();
  });

  it('makes them the bot’s, keeps their messages’ roles and names their authors', async () => {
    await new HandoffSettings1797000301000().down(runner);
    const migration = new ConversationHandoff1797000300000();
    await migration.down(runner);

    const slug = `mig-${randomUUID().slice(0, 8)}`;
    const [{ id: tenantId }] = (await runner.query(
      `INSERT INTO tenants (name, slug) VALUES ($1, $1) RETURNING id`,
      [slug],
    )) as { id: string }[];
    const userId = randomUUID();
    const byUser = randomUUID();
    const byVisitor = randomUUID();
    await runner.query(
      `INSERT INTO conversations (id, tenant_id, user_id, title) VALUES ($1, $2, $3, 'old')`,
      [byUser, tenantId, userId],
    );
    await runner.query(
      `INSERT INTO conversations (id, tenant_id, visitor_id, widget_id, title)
       VALUES ($1, $2, 'v_visitor', $3, 'old widget')`,
      [byVisitor, tenantId, randomUUID()],
    );
    for (const conversation of [byUser, byVisitor]) {
      await runner.query(
        `INSERT INTO messages (tenant_id, conversation_id, role, content)
         VALUES ($1, $2, 'user', 'q'), ($1, $2, 'assistant', 'a')`,
        [tenantId, conversation],
      );
    }

    await migration.up(runner);

    const conversations = (await runner.query(
      `SELECT status, channel, assigned_agent_id FROM conversations WHERE tenant_id = $1`,
      [tenantId],
    )) as unknown[];
    expect(conversations).toEqual([
      { status: 'bot', channel: 'api', assigned_agent_id: null },
      { status: 'bot', channel: 'api', assigned_agent_id: null },
    ]);
    const messages = (await runner.query(
      `SELECT conversation_id, role, author_id, internal FROM messages
        WHERE tenant_id = $1 ORDER BY conversation_id = $2 DESC, seq`,
      [tenantId, byUser],
    )) as unknown[];
    expect(messages).toEqual([
      { conversation_id: byUser, role: 'user', author_id: userId, internal: false },
      { conversation_id: byUser, role: 'assistant', author_id: null, internal: false },
      { conversation_id: byVisitor, role: 'user', author_id: 'v_visitor', internal: false },
      { conversation_id: byVisitor, role: 'assistant', author_id: null, internal: false },
    ]);
    // A note is a system message only; an agent's reply needs no model.
    await expect(
      runner.query(
        `INSERT INTO messages (tenant_id, conversation_id, role, content, internal)
         VALUES ($1, $2, 'agent', 'x', true)`,
        [tenantId, byUser],
      ),
    ).rejects.toThrow(/messages_internal_is_system/);
  });
});
