import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import type { Caller, ChatSource, ChatStreamEvent } from '@tenantbot/contracts';
import { FakeLlmServer } from '@tenantbot/testing';

import { ChatModule } from '../../src/chat/chat.module';
import { ChatService } from '../../src/chat/chat.service';
import { ModelsModule } from '../../src/models/models.module';
import { ModelsService } from '../../src/models/models.service';
import { ChatIntApp } from './chat-int-app';

const ONLY_OPENAI = { provider_keys: { openai: 'sk-test' }, allowed_models: ['gpt-4o-mini'] };
const REFUNDS: ChatSource = {
  document_id: randomUUID(),
  filename: 'refunds.md',
  page: null,
  chunk_index: 0,
  score: 0.9,
  text: 'Customers may return any item within 30 days of delivery for a full refund.',
};

describe('exchanges (in process, real PostgreSQL and Redis, real SDK against a fake provider)', () => {
  let fake: FakeLlmServer;
  let app: ChatIntApp;
  let chat: ChatService;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    app = await ChatIntApp.start({
      features: [ChatModule, ModelsModule],
      env: { OPENAI_BASE_URL: `${fake.url}/v1`, CHAT_FALLBACK_CHAIN: 'openai,local' },
    });
    chat = app.get(ChatService);
  });

  beforeEach(() => {
    fake.reset();
    app.passages = [];
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  async function usageOf(caller: Caller) {
    const { rows } = await app.owner.query(
      `SELECT model, provider, input_tokens, output_tokens, cost_usd::text, outcome, error_code,
              conversation_id
         FROM usage_records WHERE request_id = $1`,
      [caller.requestId],
    );
    return rows;
  }

  it('answers, and records the conversation, both messages and the usage in one write', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const caller = app.caller(tenant, 'user');
    fake.respond('openai', { text: 'Within 30 days [1].', usage: { input: 1000, output: 500 } });
    app.passages = [REFUNDS];

    const reply = await chat.send(caller, { message: 'How do refunds work?', use_rag: true });

    expect(reply).toMatchObject({
      response: 'Within 30 days [1].',
      model_used: 'gpt-4o-mini',
      tokens_used: { input: 1000, output: 500, total: 1500 },
      total_tokens: 1500,
      cost_usd: 0.00045,
      request_id: caller.requestId,
      sources: [REFUNDS],
      grounded: true,
    });
    expect(fake.requests[0].system).toContain(REFUNDS.text);
    expect(await usageOf(caller)).toEqual([
      {
        model: 'gpt-4o-mini',
        provider: 'openai',
        input_tokens: 1000,
        output_tokens: 500,
        cost_usd: '0.000450',
        outcome: 'ok',
        error_code: null,
        conversation_id: reply.conversation_id,
      },
    ]);
    const { rows } = await app.owner.query(
      `SELECT c.title, c.user_id, m.role, m.content
         FROM conversations c JOIN messages m ON m.conversation_id = c.id
        WHERE c.id = $1 ORDER BY m.seq`,
      [reply.conversation_id],
    );
    expect(rows).toEqual([
      {
        title: 'How do refunds work?',
        user_id: caller.userId,
        role: 'user',
        content: 'How do refunds work?',
      },
      {
        title: 'How do refunds work?',
        user_id: caller.userId,
        role: 'assistant',
        content: 'Within 30 days [1].',
      },
    ]);
  });

  it('continues a conversation with its history in the prompt', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const alice = app.caller(tenant, 'user');
    fake.respond('openai', { text: 'Blue.' });
    const first = await chat.send(alice, {
      message: 'My favourite colour is blue.',
      use_rag: false,
    });
    await chat.send(
      { ...alice, requestId: randomUUID() },
      {
        message: 'What is my favourite colour?',
        use_rag: false,
        conversation_id: first.conversation_id,
      },
    );
    expect(fake.requests[1].messages.map((message) => message.content)).toEqual([
      'My favourite colour is blue.',
      'Blue.',
      'What is my favourite colour?',
    ]);
  });

  it('streams deltas, then one done event whose answer is what was streamed', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    fake.respond('openai', { chunks: ['Refunds ', 'take ', '30 days.'] });
    const events: ChatStreamEvent[] = [];
    await chat.stream(
      app.caller(tenant, 'user'),
      { message: 'How long do refunds take?', use_rag: false },
      new AbortController().signal,
      (event) => events.push(event),
    );
    const deltas = events.filter((event) => event.type === 'delta').map((event) => event.content);
    expect(deltas.join('')).toBe('Refunds take 30 days.');
    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Refunds take 30 days.' });
  });

  it('refuses the readonly role before anything is spent or recorded', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const reader = app.caller(tenant, 'readonly');
    await expect(chat.send(reader, { message: 'Hello?', use_rag: false })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(fake.requests).toHaveLength(0);
    expect(await usageOf(reader)).toEqual([]);
  });

  it('reserves the budget before calling the provider: over budget, no call is made', async () => {
    const tenant = await app.createTenant({ ...ONLY_OPENAI, rate_limits: { tokens_per_day: 10 } });
    const caller = app.caller(tenant, 'user');
    await expect(
      chat.send(caller, { message: 'How do refunds work?', use_rag: false }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(fake.requests).toHaveLength(0);
    expect(await usageOf(caller)).toEqual([
      expect.objectContaining({ outcome: 'error', error_code: 'BUDGET_EXCEEDED', input_tokens: 0 }),
    ]);
  });

  it('falls back to the local responder when the provider fails, and records it', async () => {
    const tenant = await app.createTenant({ provider_keys: { openai: 'sk-test' } });
    const caller = app.caller(tenant, 'user');
    fake.respond('openai', { status: 500 });
    app.passages = [REFUNDS];
    const reply = await chat.send(caller, { message: 'How do refunds work?', use_rag: true });
    expect(reply.model_used).toBe('local-extractive');
    expect(await usageOf(caller)).toEqual([
      expect.objectContaining({
        provider: 'local',
        outcome: 'fallback',
        error_code: 'PROVIDER_ERROR',
      }),
    ]);
  });

  it('never continues another tenant’s conversation', async () => {
    const [acme, globex] = await Promise.all([app.createTenant(), app.createTenant()]);
    const started = await chat.send(app.caller(acme, 'user'), { message: 'Hi', use_rag: false });
    const intruder = app.caller(globex, 'tenant_admin');
    await expect(
      chat.send(intruder, {
        message: 'Hi',
        use_rag: false,
        conversation_id: started.conversation_id,
      }),
    ).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    const { rows } = await app.owner.query(
      'SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1',
      [started.conversation_id],
    );
    expect(rows[0]).toEqual({ n: 2 });
  });

  it('lists the models the tenant may use', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const catalog = await app.get(ModelsService).catalog(app.caller(tenant, 'readonly'));
    expect(catalog).toMatchObject({
      default_model: 'gpt-4o-mini',
      models: [expect.objectContaining({ id: 'gpt-4o-mini', available: true, default: true })],
    });
  });
});
