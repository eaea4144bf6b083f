import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { type Observable, of } from 'rxjs';

import {
  type Caller,
  CHAT,
  type ChatStats,
  type ConversationDetail,
  DomainError,
  type ParsedRequestOf,
  type PlatformCaller,
  STATS_PATTERNS,
} from '@tenantbot/contracts';
import {
  CurrentCaller,
  CurrentPlatformCaller,
  type RequestContext,
  runWithContext,
} from '@tenantbot/tenant-context';

import {
  Handles,
  RedisStreamsClient,
  RedisStreamsServer,
  RpcErrorFilter,
  ValidPayload,
} from '../../src';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${process.env.REDIS_PREFIX ?? `tbtest:${process.pid}`}:handlers`;
const tenantId = randomUUID();
const userId = randomUUID();

/** A stand-in chat service whose handlers answer with what they received. */
@Controller()
class ChatHandlers {
  @Handles(CHAT.CONVERSATIONS_GET)
  get(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.CONVERSATIONS_GET) ref: ParsedRequestOf<typeof CHAT.CONVERSATIONS_GET>,
  ): ConversationDetail {
    return {
      id: ref.id,
      title: `${caller.role} in ${caller.tenantId}`,
      user_id: caller.userId ?? null,
      api_key_id: null,
      status: 'bot',
      assigned_agent_id: null,
      channel: 'api',
      message_count: 0,
      created_at: caller.requestId,
      updated_at: caller.requestId,
      messages: [],
    };
  }

  @Handles(STATS_PATTERNS.CHAT)
  stats(@CurrentPlatformCaller() caller: PlatformCaller): ChatStats {
    // Off its schema on purpose when asked for a tenant: conversations must be a number.
    const conversations = (caller.tenantId ? 'many' : 0) as number;
    return {
      conversations,
      messages: 0,
      handoffs: {
        requested: 0,
        claimed: 0,
        median_seconds_to_claim: null,
        resolved_by_bot: 0,
        resolved_by_person: 0,
      },
      this_month: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      last_24h: { requests: 0, errors: 0 },
    };
  }

  @Handles(CHAT.STREAM)
  stream(
    @ValidPayload(CHAT.STREAM) request: ParsedRequestOf<typeof CHAT.STREAM>,
  ): Observable<never> {
    // A value off its schema: a stream of deltas must not carry anything else.
    return of(
      { type: 'delta', content: request.message, extra: true } as never,
      { type: 'nope' } as never,
    );
  }
}

@Module({ controllers: [ChatHandlers] })
class ChatHandlersModule {}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
  throw new Error('the call succeeded');
}

describe('message handlers on the typed contracts', () => {
  let app: INestMicroservice;
  const client = new RedisStreamsClient({ name: 'test', redisUrl, prefix, timeoutMs: 10_000 });
  const agent: RequestContext = {
    requestId: 'req-agent',
    tenantId,
    principal: { role: 'agent', userId },
  };

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(ChatHandlersModule, {
      strategy: new RedisStreamsServer({ service: 'chat', redisUrl, prefix, checkReplies: true }),
      logger: false,
    });
    app.useGlobalFilters(new RpcErrorFilter(pino({ level: 'silent' })));
    await app.listen();
  });

  afterAll(async () => {
    await client.close();
    await app.close();
  });

  it('hands the handler the caller of the message and its payload parsed', async () => {
    const id = randomUUID();
    const detail = await runWithContext(agent, () =>
      client.request(CHAT.CONVERSATIONS_GET, { id }),
    );
    expect(detail).toMatchObject({
      id,
      title: `agent in ${tenantId}`,
      user_id: userId,
      created_at: 'req-agent',
    });
  });

  it('answers VALIDATION_FAILED for a payload its schema refuses', async () => {
    const error = await runWithContext(agent, () =>
      client.request(CHAT.CONVERSATIONS_GET, { id: 'not-a-uuid' }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'id', message: expect.any(String) }],
    });
  });

  it('answers TENANT_REQUIRED or UNAUTHORIZED when the context lacks them', async () => {
    const id = randomUUID();
    const withoutTenant = { requestId: 'r', principal: { role: 'agent' as const, userId } };
    expect(
      await codeOf(
        runWithContext(withoutTenant, () => client.request(CHAT.CONVERSATIONS_GET, { id })),
      ),
    ).toBe('TENANT_REQUIRED');
    expect(
      await codeOf(
        runWithContext({ requestId: 'r', tenantId }, () =>
          client.request(CHAT.CONVERSATIONS_GET, { id }),
        ),
      ),
    ).toBe('UNAUTHORIZED');
  });

  it('lets a platform message through without a tenant', async () => {
    const superAdmin = { requestId: 'r', principal: { role: 'super_admin' as const, userId } };
    const stats = await runWithContext(superAdmin, () => client.request(STATS_PATTERNS.CHAT));
    expect(stats.conversations).toBe(0);
  });

  it('refuses, in test runs, a reply that does not match its schema', async () => {
    const error = await runWithContext(agent, () =>
      client.request(STATS_PATTERNS.CHAT, {}).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'the reply of chat.stats does not match its schema in the message map',
      details: { problems: [expect.stringMatching(/^conversations: /)] },
    });
  });

  it('ends a streamed reply at its first value off its schema', async () => {
    const values: unknown[] = [];
    const error = await runWithContext(
      agent,
      () =>
        new Promise((resolve) =>
          client.call(CHAT.STREAM, { message: 'hi' }).subscribe({
            next: (value) => values.push(value),
            error: resolve,
            complete: () => resolve(undefined),
          }),
        ),
    );
    expect(values).toEqual([{ type: 'delta', content: 'hi', extra: true }]);
    expect(error).toMatchObject({
      code: 'INTERNAL_ERROR',
      details: { problems: [expect.any(String)] },
    });
  });
});
