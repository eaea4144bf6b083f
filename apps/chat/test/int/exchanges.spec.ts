import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import {
  type Caller,
  type ChatSource,
  type ChatStreamEvent,
  tenantIdOf,
} from '@tenantbot/contracts';
import { FakeLlmServer } from '@tenantbot/testing';

import { ChatModule } from '../../src/chat/chat.module';
import { type AnsweredExchangeRows, ChatRepository } from '../../src/chat/chat.repository';
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

  describe('the exchange write (record_answered_exchange)', () => {
    const LONG_PASSAGE = { ...REFUNDS, text: 'Refunds are paid to the original card. '.repeat(60) };
    const rowsFor = (
      tenantId: string,
      conversation: AnsweredExchangeRows['conversation'],
    ): AnsweredExchangeRows => ({
      exchangeId: randomUUID(),
      conversation,
      question: { authorId: tenantId, content: 'Where does my refund go?' },
      answer: {
        content: 'To the original card [1].',
        sources: [LONG_PASSAGE],
        model: 'gpt-4o-mini',
        inputTokens: 120,
        outputTokens: 9,
        costUsd: '0.000023',
        latencyMs: 17,
      },
      usage: { userId: undefined, requestId: randomUUID(), provider: 'openai', outcome: 'ok' },
    });

    it('writes the question, then the answer with its sources and cost, and its usage once', async () => {
      const tenant = await app.createTenant();
      const repository = app.get(ChatRepository);
      const apiKeyId = randomUUID();
      const rows = rowsFor(tenant.id, {
        id: randomUUID(),
        title: 'Where does my refund go?',
        apiKeyId,
        channel: 'api',
      });
      rows.usage.apiKeyId = apiKeyId;

      expect(await repository.recordAnswered(tenantIdOf(tenant.id), rows)).toBe('written');
      expect(await repository.recordAnswered(tenantIdOf(tenant.id), rows)).toBe('already-stored');

      const messages = await app.owner.query(
        `SELECT role, author_id, content, sources, model, input_tokens, output_tokens,
                cost_usd::text, latency_ms, pg_column_compression(sources) AS compression
           FROM messages WHERE conversation_id = $1 ORDER BY seq`,
        [rows.conversation.id],
      );
      expect(messages.rows).toEqual([
        expect.objectContaining({ role: 'user', author_id: tenant.id, sources: [], model: null }),
        expect.objectContaining({
          role: 'assistant',
          author_id: null,
          content: 'To the original card [1].',
          sources: [LONG_PASSAGE],
          model: 'gpt-4o-mini',
          input_tokens: 120,
          output_tokens: 9,
          cost_usd: '0.000023',
          latency_ms: 17,
          compression: 'lz4',
        }),
      ]);
      const usage = await app.owner.query(
        `SELECT api_key_id, conversation_id, model, provider, input_tokens, output_tokens,
                cost_usd::text, latency_ms, outcome
           FROM usage_records WHERE request_id = $1`,
        [rows.usage.requestId],
      );
      expect(usage.rows).toEqual([
        {
          api_key_id: apiKeyId,
          conversation_id: rows.conversation.id,
          model: 'gpt-4o-mini',
          provider: 'openai',
          input_tokens: 120,
          output_tokens: 9,
          cost_usd: '0.000023',
          latency_ms: 17,
          outcome: 'ok',
        },
      ]);
    });

    it('writes nothing into a conversation that is gone or is another tenant’s', async () => {
      const [acme, globex] = await Promise.all([app.createTenant(), app.createTenant()]);
      const repository = app.get(ChatRepository);
      const started = await chat.send(app.caller(acme, 'user'), { message: 'Hi', use_rag: false });

      const intruding = rowsFor(globex.id, { id: started.conversation_id });
      const vanished = rowsFor(acme.id, { id: randomUUID() });
      expect(await repository.recordAnswered(tenantIdOf(globex.id), intruding)).toBe(
        'conversation-gone',
      );
      expect(await repository.recordAnswered(tenantIdOf(acme.id), vanished)).toBe(
        'conversation-gone',
      );
      const { rows } = await app.owner.query(
        `SELECT (SELECT count(*)::int FROM messages WHERE conversation_id = $1) AS messages,
                (SELECT count(*)::int FROM usage_records WHERE request_id = ANY ($2)) AS usage`,
        [started.conversation_id, [intruding.usage.requestId, vanished.usage.requestId]],
      );
      expect(rows[0]).toEqual({ messages: 2, usage: 0 });
    });
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
