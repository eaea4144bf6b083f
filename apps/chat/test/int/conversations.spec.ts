import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type Caller, tenantIdOf, type TenantRuntimeConfig } from '@tenantbot/contracts';

import { ConversationModule } from '../../src/conversation/conversation.module';
import { ConversationRepository } from '../../src/conversation/conversation.repository';
import { ConversationService } from '../../src/conversation/conversation.service';
import { ChatIntApp } from './chat-int-app';

const PAGE = { scope: 'mine', limit: 50, offset: 0 } as const;
const WHOLE_TENANT = { ...PAGE, scope: 'tenant' } as const;

describe('conversations (in process, real PostgreSQL and Redis)', () => {
  let app: ChatIntApp;
  let conversations: ConversationService;
  let acme: TenantRuntimeConfig;
  let globex: TenantRuntimeConfig;
  let alice: Caller;
  let bob: Caller;
  let acmeAdmin: Caller;
  let globexAdmin: Caller;
  let alicesConversation: string;

  /** A conversation of the caller's, a question and an answer per turn, written by the owner. */
  async function seedConversation(caller: Caller, title: string, turns: number): Promise<string> {
    const id = randomUUID();
    await app.owner.query(
      `INSERT INTO conversations (id, tenant_id, user_id, title) VALUES ($1, $2, $3, $4)`,
      [id, caller.tenantId, caller.userId, title],
    );
    for (let turn = 1; turn <= turns; turn++) {
      await app.owner.query(
        `INSERT INTO messages (tenant_id, conversation_id, role, content, model, input_tokens,
                               output_tokens, cost_usd, latency_ms)
         VALUES ($1, $2, 'user', $3, NULL, NULL, NULL, NULL, NULL),
                ($1, $2, 'assistant', $4, 'gpt-4o-mini', 10, 5, 0.000004, 12)`,
        [caller.tenantId, id, `${title} (${turn})`, `Answer ${turn}`],
      );
    }
    return id;
  }

  beforeAll(async () => {
    app = await ChatIntApp.start({ features: [ConversationModule] });
    conversations = app.get(ConversationService);
    [acme, globex] = await Promise.all([app.createTenant(), app.createTenant()]);
    alice = app.caller(acme, 'user');
    bob = app.caller(acme, 'user');
    acmeAdmin = app.caller(acme, 'tenant_admin');
    globexAdmin = app.caller(globex, 'tenant_admin');
    alicesConversation = await seedConversation(alice, 'Where is my order?', 2);
    await seedConversation(bob, 'Can I return a gift?', 1);
    await seedConversation(app.caller(globex, 'user'), 'Globex question', 1);
  });

  afterAll(() => app?.close());

  it('lists the caller’s own conversations, newest first', async () => {
    const page = await conversations.list(alice, PAGE);
    expect(page).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(page.items).toEqual([
      expect.objectContaining({
        id: alicesConversation,
        title: 'Where is my order?',
        user_id: alice.userId,
        message_count: 4,
      }),
    ]);
  });

  it('lists the whole tenant for its admins only', async () => {
    const page = await conversations.list(acmeAdmin, WHOLE_TENANT);
    expect(page.total).toBe(2);
    await expect(conversations.list(alice, WHOLE_TENANT)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('reads a conversation with its messages in order, for its owner and the tenant’s agents', async () => {
    const detail = await conversations.get(alice, alicesConversation);
    expect(detail.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Where is my order? (1)'],
      ['assistant', 'Answer 1'],
      ['user', 'Where is my order? (2)'],
      ['assistant', 'Answer 2'],
    ]);
    expect(detail.messages[1]).toMatchObject({
      model: 'gpt-4o-mini',
      tokens: { input: 10, output: 5, total: 15 },
      cost_usd: 0.000004,
      latency_ms: 12,
    });
    const asAgent = await conversations.get(app.caller(acme, 'agent'), alicesConversation);
    expect(asAgent.id).toBe(alicesConversation);
  });

  it('hides a conversation from another user of the tenant', async () => {
    await expect(conversations.get(bob, alicesConversation)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });

  it('never shows one tenant’s conversations to another, even to its admin', async () => {
    const page = await conversations.list(globexAdmin, WHOLE_TENANT);
    expect(page.total).toBe(1);
    expect(page.items[0].title).toBe('Globex question');
    await expect(conversations.get(globexAdmin, alicesConversation)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    await expect(conversations.history(globexAdmin, alicesConversation)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });

  it('is isolated by row-level security below the repository’s own filters', async () => {
    // The 'tenant' owner filter adds no condition: only the tenant scope confines the query.
    const rows = await app
      .get(ConversationRepository)
      .list(tenantIdOf(globex.id), 'tenant', { limit: 50, offset: 0 });
    expect(rows.items.map((row) => row.title)).toEqual(['Globex question']);
  });

  it('deletes for the owner, not for the readonly role nor for another tenant', async () => {
    const doomed = { conversation_id: await seedConversation(alice, 'Please forget this', 1) };
    await expect(
      conversations.delete(app.caller(acme, 'readonly'), doomed.conversation_id),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(conversations.delete(globexAdmin, doomed.conversation_id)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    await expect(conversations.delete(alice, doomed.conversation_id)).resolves.toEqual({
      id: doomed.conversation_id,
      deleted: true,
    });
    const { rows } = await app.owner.query(
      'SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1',
      [doomed.conversation_id],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('gives the history of a continued conversation, oldest turn first', async () => {
    const turns = await conversations.history(alice, alicesConversation);
    expect(turns.map((turn) => turn.content)).toEqual([
      'Where is my order? (1)',
      'Answer 1',
      'Where is my order? (2)',
      'Answer 2',
    ]);
  });

  it('answers CONVERSATION_NOT_FOUND for a conversation that never existed', async () => {
    await expect(conversations.get(acmeAdmin, randomUUID())).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });
});
