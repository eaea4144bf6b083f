import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import type { Caller, ChatStreamEvent } from '@tenantbot/contracts';
import { FakeLlmServer } from '@tenantbot/testing';

import { ChatModule } from '../../src/chat/chat.module';
import { type AnsweredExchangeRows, ChatRepository } from '../../src/chat/chat.repository';
import { ChatService } from '../../src/chat/chat.service';
import { ChatIntApp } from './chat-int-app';

const ONLY_OPENAI = { provider_keys: { openai: 'sk-test' }, allowed_models: ['gpt-4o-mini'] };

/**
 * A chat replica killed between its commit and its reply: the transport hands the same
 * request (same transport request id) to another replica, which must not store the exchange
 * again. Driven here by running the same delivery twice in the service.
 */
describe('a chat request delivered twice (in process, real PostgreSQL and Redis)', () => {
  let fake: FakeLlmServer;
  let app: ChatIntApp;
  let chat: ChatService;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    app = await ChatIntApp.start({
      features: [ChatModule],
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

  async function storedOf(tenantId: string) {
    const count = async (table: string) =>
      (
        await app.owner.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
          [tenantId],
        )
      ).rows[0].n;
    return {
      conversations: await count('conversations'),
      messages: await count('messages'),
      usage: await count('usage_records'),
    };
  }

  it('stores one exchange and answers the second delivery with it, without asking the model again', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const caller = app.caller(tenant, 'user');
    const origin = { transportRequestId: randomUUID() };
    fake.respond('openai', { text: 'Within 30 days.', usage: { input: 100, output: 5 } });

    const first = await chat.send(caller, { message: 'Refunds?', use_rag: false }, origin);
    const again = await chat.send(caller, { message: 'Refunds?', use_rag: false }, origin);

    expect(again).toEqual(first);
    expect(fake.requests).toHaveLength(1);
    expect(await storedOf(tenant.id)).toEqual({ conversations: 1, messages: 2, usage: 1 });
  });

  it('stores one exchange when two deliveries run at once, and both answer with it', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const caller = app.caller(tenant, 'user');
    const origin = { transportRequestId: randomUUID() };
    let answers = 0;
    fake.respond('openai', () => ({ text: `Answer ${++answers}.`, delayMs: 100 }));

    const [one, two] = await Promise.all([
      chat.send(caller, { message: 'Refunds?', use_rag: false }, origin),
      chat.send(caller, { message: 'Refunds?', use_rag: false }, origin),
    ]);

    expect(two.response).toBe(one.response);
    expect(two.conversation_id).toBe(one.conversation_id);
    expect(await storedOf(tenant.id)).toEqual({ conversations: 1, messages: 2, usage: 1 });
  });

  it('writes one exchange when two deliveries commit at the very same moment, again and again', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const caller = app.caller(tenant, 'user');
    const repository = app.get(ChatRepository);
    const rowsOf = (exchangeId: string, conversationId: string): AnsweredExchangeRows => ({
      exchangeId,
      conversation: { id: conversationId, title: 'Refunds?', userId: caller.userId },
      question: { authorId: caller.userId ?? null, content: 'Refunds?' },
      answer: {
        content: 'Within 30 days.',
        sources: [],
        model: 'gpt-4o-mini',
        inputTokens: 10,
        outputTokens: 5,
        costUsd: '0.000010',
        latencyMs: 5,
      },
      usage: {
        userId: caller.userId,
        requestId: caller.requestId,
        provider: 'openai',
        outcome: 'ok',
      },
    });
    const rounds = 400;
    for (let round = 0; round < rounds; round++) {
      const rows = rowsOf(randomUUID(), randomUUID());
      // Both new-conversation writes race on the conversation's two unique indexes.
      const outcomes = await Promise.all([
        repository.recordAnswered(caller.tenantId, rows),
        repository.recordAnswered(caller.tenantId, rows),
      ]);
      expect(outcomes.sort()).toEqual(['already-stored', 'written']);
    }
    expect(await storedOf(tenant.id)).toEqual({
      conversations: rounds,
      messages: 2 * rounds,
      usage: rounds,
    });
  });

  it('stores one exchange of a continued conversation, and a streamed delivery replays it', async () => {
    const tenant = await app.createTenant(ONLY_OPENAI);
    const caller = app.caller(tenant, 'user');
    fake.respond('openai', { text: 'Blue.' });
    const first = await chat.send(caller, { message: 'My colour is blue.', use_rag: false });
    const origin = { transportRequestId: randomUUID() };
    const followUp = {
      message: 'What is my colour?',
      use_rag: false,
      conversation_id: first.conversation_id,
    };

    const answered = await chat.send({ ...caller, requestId: randomUUID() }, followUp, origin);
    const events: ChatStreamEvent[] = [];
    await chat.stream(
      caller,
      followUp,
      new AbortController().signal,
      (event) => events.push(event),
      origin,
    );

    expect(events).toEqual([
      { type: 'delta', content: 'Blue.' },
      expect.objectContaining({
        type: 'done',
        response: 'Blue.',
        conversation_id: first.conversation_id,
      }),
    ]);
    expect(answered.conversation_id).toBe(first.conversation_id);
    expect(fake.requests).toHaveLength(2);
    expect(await storedOf(tenant.id)).toEqual({ conversations: 1, messages: 4, usage: 2 });
  });

  it('keeps deliveries of different requests, and of other tenants, apart', async () => {
    const [alpha, beta] = await Promise.all([
      app.createTenant(ONLY_OPENAI),
      app.createTenant(ONLY_OPENAI),
    ]);
    const transportRequestId = randomUUID();
    fake.respond('openai', { text: 'Sure.' });
    const ask = (caller: Caller, origin: { transportRequestId: string }) =>
      chat.send(caller, { message: 'Hello?', use_rag: false }, origin);

    await ask(app.caller(alpha, 'user'), { transportRequestId });
    // The same transport id in another tenant is another exchange (ids derive from the tenant).
    await ask(app.caller(beta, 'user'), { transportRequestId });
    await ask(app.caller(alpha, 'user'), { transportRequestId: randomUUID() });

    expect(await storedOf(alpha.id)).toEqual({ conversations: 2, messages: 4, usage: 2 });
    expect(await storedOf(beta.id)).toEqual({ conversations: 1, messages: 2, usage: 1 });
  });
});
