import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type Caller, type TenantRuntimeConfig } from '@tenantbot/contracts';

import { ConversationModule } from '../../src/conversation/conversation.module';
import { ConversationService } from '../../src/conversation/conversation.service';
import { HandoffModule } from '../../src/handoff/handoff.module';
import { HandoffService } from '../../src/handoff/handoff.service';
import { UsageModule } from '../../src/usage/usage.module';
import { UsageService } from '../../src/usage/usage.service';
import { ChatIntApp } from './chat-int-app';

describe('handoff (in process, real PostgreSQL and Redis)', () => {
  let app: ChatIntApp;
  let handoffs: HandoffService;
  let acme: TenantRuntimeConfig;
  let globex: TenantRuntimeConfig;
  let alice: Caller;

  /** A bot conversation of the caller's, one question and one answer, written by the owner. */
  async function botConversation(caller: Caller): Promise<string> {
    const id = randomUUID();
    await app.owner.query(
      `INSERT INTO conversations (id, tenant_id, user_id, title) VALUES ($1, $2, $3, 'Parcel')`,
      [id, caller.tenantId, caller.userId],
    );
    await app.owner.query(
      `INSERT INTO messages (tenant_id, conversation_id, role, author_id, content)
       VALUES ($1, $2, 'user', $3, 'Where is it?'), ($1, $2, 'assistant', NULL, 'On its way.')`,
      [caller.tenantId, id, caller.userId],
    );
    return id;
  }

  async function events(conversationId: string): Promise<string[]> {
    const { rows } = await app.owner.query<{ pattern: string }>(
      `SELECT pattern FROM event_outbox WHERE payload->>'conversationId' = $1 ORDER BY id`,
      [conversationId],
    );
    return rows.map((row) => row.pattern);
  }

  beforeAll(async () => {
    app = await ChatIntApp.start({ features: [ConversationModule, HandoffModule, UsageModule] });
    handoffs = app.get(HandoffService);
    [acme, globex] = await Promise.all([app.createTenant(), app.createTenant()]);
    alice = app.caller(acme, 'user');
  });

  afterAll(() => app?.close());

  it('lets exactly one of many agents claiming at once win', async () => {
    const id = await botConversation(alice);
    await handoffs.request(alice, { id });
    const agents = Array.from({ length: 6 }, () => app.caller(acme, 'agent'));
    const outcomes = await Promise.allSettled(agents.map((agent) => handoffs.claim(agent, id)));
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((outcome) => (outcome.reason as { code: string }).code)).toEqual(
      Array(5).fill('ALREADY_CLAIMED'),
    );
    const { rows } = await app.owner.query(
      'SELECT status, assigned_agent_id FROM conversations WHERE id = $1',
      [id],
    );
    const winner = agents[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')];
    expect(rows[0]).toEqual({ status: 'human', assigned_agent_id: winner.userId });
    expect(await events(id)).toEqual(['conversation.handoff_requested', 'conversation.claimed']);
  });

  it('records the moves in the outbox with the transaction that made them', async () => {
    const id = await botConversation(alice);
    const agent = app.caller(acme, 'agent');
    expect((await handoffs.request(alice, { id, reason: 'stuck' })).status).toBe('waiting_human');
    // Asking again adds nothing: no second notice, no second event.
    await handoffs.request(alice, { id });
    await handoffs.claim(agent, id);
    await handoffs.reply(agent, { id, content: 'Hello!', internal: false });
    await handoffs.reply(agent, { id, content: 'note', internal: true });
    expect((await handoffs.close(agent, id)).status).toBe('closed');
    expect(await events(id)).toEqual([
      'conversation.handoff_requested',
      'conversation.claimed',
      'conversation.closed',
    ]);
    const { rows } = await app.owner.query(
      'SELECT role, author_id, internal FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [id],
    );
    expect(rows).toEqual([
      { role: 'user', author_id: alice.userId, internal: false },
      { role: 'assistant', author_id: null, internal: false },
      { role: 'system', author_id: null, internal: false },
      { role: 'agent', author_id: agent.userId, internal: false },
      { role: 'system', author_id: agent.userId, internal: true },
    ]);
    const seenByAlice = await app.get(ConversationService).get(alice, id);
    expect(seenByAlice.messages.map((message) => message.content)).not.toContain('note');
    await expect(handoffs.receive(alice, id, 'hello?')).rejects.toMatchObject({
      code: 'CONVERSATION_CLOSED',
    });
  });

  it('never lets another tenant’s agent see or move a conversation', async () => {
    const id = await botConversation(alice);
    await handoffs.request(alice, { id });
    const outsider = app.caller(globex, 'tenant_admin');
    for (const move of [
      () => handoffs.claim(outsider, id),
      () => handoffs.release(outsider, id),
      () => handoffs.close(outsider, id),
      () => handoffs.reply(outsider, { id, content: 'hi', internal: true }),
    ]) {
      await expect(move()).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    }
    const page = await handoffs.inbox(outsider, { limit: 20, offset: 0 });
    expect(page.items.map((item) => item.id)).not.toContain(id);
    const own = await handoffs.inbox(app.caller(acme, 'agent'), { limit: 100, offset: 0 });
    expect(own.items.map((item) => item.id)).toContain(id);
  });

  it('refuses the inbox to users and readonly, and a stranger’s conversation to a user', async () => {
    const id = await botConversation(alice);
    for (const role of ['user', 'readonly'] as const) {
      await expect(handoffs.claim(app.caller(acme, role), id)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    await expect(handoffs.request(app.caller(acme, 'user'), { id })).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });

  it('counts handoffs, claims, the median time to claim and who resolved them', async () => {
    const tenant = await app.createTenant();
    const owner = app.caller(tenant, 'user');
    const agent = app.caller(tenant, 'agent');
    await botConversation(owner);
    const claimedFast = await botConversation(owner);
    const claimedSlow = await botConversation(owner);
    const waiting = await botConversation(owner);
    for (const id of [claimedFast, claimedSlow, waiting]) {
      await handoffs.request(owner, { id });
    }
    await handoffs.claim(agent, claimedFast);
    await handoffs.claim(agent, claimedSlow);
    await app.owner.query(
      `UPDATE conversations SET handoff_requested_at = claimed_at - interval '10 seconds'
        WHERE id = $1`,
      [claimedFast],
    );
    await app.owner.query(
      `UPDATE conversations SET handoff_requested_at = claimed_at - interval '30 seconds'
        WHERE id = $1`,
      [claimedSlow],
    );
    const stats = await app.get(UsageService).stats(app.caller(tenant, 'tenant_admin'));
    expect(stats.handoffs).toEqual({
      requested: 3,
      claimed: 2,
      median_seconds_to_claim: 20,
      resolved_by_bot: 1,
      resolved_by_person: 2,
    });
  });
});
