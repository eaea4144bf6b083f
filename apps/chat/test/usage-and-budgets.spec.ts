import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

import {
  CHAT,
  type ReplyOf,
  type RequestPattern,
  type Role,
  STATS_PATTERNS,
  TENANTS,
  usageReportSchema,
  type UsageRow,
} from '@tenantbot/contracts';
import { createDataSource } from '@tenantbot/database';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { FakeLlmServer, TestStack } from '@tenantbot/testing';
import type { RedisStreamsClient, RequestArgs } from '@tenantbot/transport';

/** gpt-4o-mini at $0.15 / $0.60 per million: 1000 in + 500 out = 450 micro-dollars. */
const SCRIPTED = { input: 1000, output: 500 };
const MICROS_PER_ANSWER = 1000 * 0.15 + 500 * 0.6;
const ONLY_OPENAI = { provider_keys: { openai: 'sk-test' }, allowed_models: ['gpt-4o-mini'] };
const question = (extra: Record<string, unknown> = {}) => ({
  message: 'How do refunds work?',
  use_rag: false,
  ...extra,
});

interface Tenant {
  id: string;
  /** Calls a pattern in this tenant's context; `requestId` names the usage record it leaves. */
  request<P extends RequestPattern>(
    as: Role | CallerOf,
    pattern: P,
    ...args: RequestArgs<P>
  ): Promise<ReplyOf<P>>;
}

/** Who calls: a role, with the user id and request id when the test needs to know them. */
interface CallerOf {
  role: Role;
  userId?: string;
  requestId?: string;
}

describe('usage reports, statistics and budgets (tenants and chat as processes)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let client: RedisStreamsClient;
  let owner: DataSource;
  let redis: Redis;
  let alpha: Tenant;
  let beta: Tenant;
  let gamma: Tenant;
  const alice = randomUUID();
  const bob = randomUUID();
  const carol = randomUUID();
  const alphaKey = randomUUID();

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      services: ['tenants', 'chat'],
      gateway: false,
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        ANTHROPIC_BASE_URL: fake.url,
        OPENAI_API_KEY: '',
        ANTHROPIC_API_KEY: '',
        CHAT_FALLBACK_CHAIN: 'openai,anthropic,local',
      },
    });
    client = stack.transportClient();
    redis = new Redis(String(process.env.REDIS_URL));
    owner = await createDataSource({
      url: stack.env.DATABASE_URL,
      poolSize: 1,
    }).initialize();
    [alpha, beta, gamma] = await Promise.all([
      createTenant('alpha', ONLY_OPENAI),
      createTenant('beta', ONLY_OPENAI),
      createTenant('gamma', {}),
    ]);
    await recordAlphaAndBetaExchanges();
    await seedJanuary2024();
    await seedBusyGamma();
  });

  afterAll(async () => {
    await client?.close();
    redis?.disconnect();
    await owner?.destroy();
    await stack?.stop();
    await fake?.close();
  });

  async function createTenant(name: string, settings: Record<string, unknown>): Promise<Tenant> {
    const tenant = await asSuperAdmin(() =>
      client.request(TENANTS.TENANT_CREATE, {
        name,
        slug: `${name}-${randomUUID().slice(0, 8)}`,
        ...settings,
      }),
    );
    return {
      id: tenant.id,
      request: <P extends RequestPattern>(
        as: Role | CallerOf,
        pattern: P,
        ...args: RequestArgs<P>
      ) => {
        const { role, ...ids }: CallerOf = typeof as === 'string' ? { role: as } : as;
        const context: RequestContext = {
          requestId: ids.requestId ?? randomUUID(),
          tenantId: tenant.id,
          principal: { role, userId: ids.userId ?? randomUUID() },
        };
        return runWithContext(context, () => client.request(pattern, ...args));
      },
    };
  }

  function asSuperAdmin<T>(work: () => Promise<T>): Promise<T> {
    const context = { requestId: randomUUID(), principal: { role: 'super_admin' as const } };
    return runWithContext(context, work);
  }

  /** Alice: two answers of 1000 + 500 tokens; Bob: one provider 500. Carol at beta: one answer. */
  async function recordAlphaAndBetaExchanges() {
    fake.reset();
    fake.respond('openai', { text: 'Refunds take 30 days.', usage: SCRIPTED });
    await alpha.request({ role: 'user', userId: alice }, CHAT.SEND, question());
    await alpha.request({ role: 'user', userId: alice }, CHAT.SEND, question());
    fake.respond('openai', { status: 500 });
    await expect(
      alpha.request({ role: 'user', userId: bob }, CHAT.SEND, question()),
    ).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    fake.respond('openai', { text: 'Beta answer.', usage: { input: 200, output: 100 } });
    await beta.request({ role: 'user', userId: carol }, CHAT.SEND, question());
  }

  /** Records at the edges of January 2024, written as they would have been then. */
  async function seedJanuary2024() {
    const rows: [string, string | null, string | null, string, number, number, string, string][] = [
      ['2023-12-31T23:59:59.999Z', alice, null, 'gpt-4o-mini', 7, 7, '0.000005', 'ok'],
      ['2024-01-01T00:00:00.000Z', alice, null, 'gpt-4o-mini', 100, 50, '0.000045', 'ok'],
      [
        '2024-01-15T23:59:59.999Z',
        null,
        alphaKey,
        'claude-3-5-haiku-latest',
        100,
        50,
        '0.000280',
        'fallback',
      ],
      ['2024-01-16T00:00:00.000Z', bob, null, 'gpt-4o-mini', 0, 0, '0.000000', 'error'],
      ['2024-02-01T00:00:00.000Z', alice, null, 'gpt-4o-mini', 9, 9, '0.000009', 'ok'],
    ];
    for (const [at, userId, apiKeyId, model, input, output, cost, outcome] of rows) {
      await owner.query(
        `INSERT INTO usage_records (tenant_id, user_id, api_key_id, request_id, model, provider,
                                    input_tokens, output_tokens, cost_usd, latency_ms, outcome,
                                    error_code, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12)`,
        [
          alpha.id,
          userId,
          apiKeyId,
          randomUUID(),
          model,
          model.startsWith('claude') ? 'anthropic' : 'openai',
          input,
          output,
          cost,
          outcome,
          outcome === 'ok' ? null : 'PROVIDER_ERROR',
          at,
        ],
      );
    }
  }

  /**
   * More requests this month than any other suite makes, so gamma tops the platform; by
   * Carol, who also chats at beta, so the platform's view of her spans two tenants.
   */
  async function seedBusyGamma() {
    await owner.query(
      `INSERT INTO usage_records (tenant_id, user_id, request_id, model, provider, input_tokens,
                                  output_tokens, cost_usd, latency_ms, outcome)
       SELECT $1, $2, 'seed-' || n, 'gpt-4o-mini', 'openai', 10, 5, 0.000005, 1, 'ok'
         FROM generate_series(1, 1000) AS n`,
      [gamma.id, carol],
    );
  }

  const usage = (tenant: Tenant, query: Record<string, unknown>, role: Role = 'tenant_admin') =>
    tenant.request(role, STATS_PATTERNS.CHAT_USAGE, query);

  const aliceRow: Omit<UsageRow, 'key'> = {
    requests: 2,
    errors: 0,
    input_tokens: 2000,
    output_tokens: 1000,
    cost_usd: (2 * MICROS_PER_ANSWER) / 1e6,
  };
  const bobRow = { requests: 1, errors: 1, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  const alphaTotals = { ...aliceRow, requests: 3, errors: 1 };
  const carolRow = {
    requests: 1,
    errors: 0,
    input_tokens: 200,
    output_tokens: 100,
    cost_usd: 0.00009,
  };

  describe('usage report', () => {
    it('sums the last 30 days by model, exact to the token and the micro-dollar', async () => {
      const report = await usage(alpha, { group_by: 'model' });

      expect(report).toMatchObject({ group_by: 'model', tenant_id: alpha.id });
      expect(report.rows).toEqual([{ key: 'gpt-4o-mini', ...alphaTotals }]);
      expect(report.totals).toEqual(alphaTotals);
      expect(report.totals.cost_usd).toBe(0.0009);
      const days = Date.parse(report.to) - Date.parse(report.from);
      expect(days).toBe(30 * 86_400_000);
      expect(Math.abs(Date.parse(report.to) - Date.now())).toBeLessThan(60_000);
    });

    it('groups by user (API keys as key:<id>) and by UTC day, from inclusive and to exclusive', async () => {
      const january = { from: '2024-01-01', to: '2024-02-01' };
      const byDay = await usage(alpha, { ...january, group_by: 'day' });
      expect(byDay).toMatchObject({
        from: '2024-01-01T00:00:00.000Z',
        to: '2024-02-01T00:00:00.000Z',
      });
      expect(byDay.rows).toEqual([
        {
          key: '2024-01-01',
          requests: 1,
          errors: 0,
          input_tokens: 100,
          output_tokens: 50,
          cost_usd: 0.000045,
        },
        {
          key: '2024-01-15',
          requests: 1,
          errors: 0,
          input_tokens: 100,
          output_tokens: 50,
          cost_usd: 0.00028,
        },
        { key: '2024-01-16', ...bobRow },
      ]);
      expect(byDay.totals).toEqual({
        requests: 3,
        errors: 1,
        input_tokens: 200,
        output_tokens: 100,
        cost_usd: 0.000325,
      });

      const byUser = await usage(alpha, { ...january, group_by: 'user' });
      expect(byUser.rows.map((row) => row.key)).toEqual([alice, bob, `key:${alphaKey}`].sort());

      const recent = await usage(alpha, { group_by: 'user' });
      expect(recent.rows).toEqual(
        [
          { key: alice, ...aliceRow },
          { key: bob, ...bobRow },
        ].sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
    });

    it('keeps tenant admins to their tenant and refuses other roles and bad periods', async () => {
      const betaView = await usage(beta, { group_by: 'user' });
      expect(betaView.rows).toEqual([{ key: carol, ...carolRow }]);

      await expect(usage(alpha, { group_by: 'user', tenant_id: beta.id })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(usage(alpha, { group_by: 'day' }, 'user')).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(alpha.request('agent', STATS_PATTERNS.CHAT, {})).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(
        usage(alpha, { group_by: 'day', from: '2024-02-01', to: '2024-01-01' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('shows the super admin every tenant without one in context, or the tenant it names', async () => {
      // The admin service asks for the platform with tenant_id null.
      const platform = usageReportSchema.parse(
        await asSuperAdmin(() =>
          client.requestUnchecked(STATS_PATTERNS.CHAT_USAGE, { group_by: 'user', tenant_id: null }),
        ),
      );
      expect(platform.tenant_id).toBeNull();
      expect(platform.rows).toEqual(
        expect.arrayContaining([
          { key: alice, ...aliceRow },
          {
            key: carol,
            ...carolRow,
            requests: 1001,
            input_tokens: 10_200,
            output_tokens: 5100,
            cost_usd: 0.00509,
          },
        ]),
      );

      const named = await asSuperAdmin(() =>
        client.request(STATS_PATTERNS.CHAT_USAGE, {
          group_by: 'model',
          tenant_id: alpha.id,
        }),
      );
      expect(named).toMatchObject({ tenant_id: alpha.id, totals: alphaTotals });
    });
  });

  describe('statistics', () => {
    it("counts the tenant's conversations, messages, month and last day", async () => {
      const stats = await alpha.request('tenant_admin', STATS_PATTERNS.CHAT, {});

      expect(stats).toEqual({
        conversations: 2,
        messages: 4,
        handoffs: {
          requested: 0,
          claimed: 0,
          median_seconds_to_claim: null,
          resolved_by_bot: 2,
          resolved_by_person: 0,
        },
        feedback: { up: 0, down: 0 },
        this_month: { input_tokens: 2000, output_tokens: 1000, cost_usd: 0.0009 },
        last_24h: { requests: 3, errors: 1 },
      });
    });

    it('ranks the busiest tenants of the month for the platform', async () => {
      const stats = await asSuperAdmin(() => client.request(STATS_PATTERNS.CHAT, {}));

      expect(stats.conversations).toBeGreaterThanOrEqual(3);
      expect(stats.last_24h.requests).toBeGreaterThanOrEqual(1004);
      expect(stats.top_tenants?.length).toBeLessThanOrEqual(5);
      expect(stats.top_tenants?.[0]).toEqual({
        tenant_id: gamma.id,
        requests: 1000,
        tokens: 15_000,
        cost_usd: 0.005,
      });
    });
  });

  describe('budgets', () => {
    it('settles every reservation with what was really spent', async () => {
      expect(await budgetCounters(alpha.id)).toEqual({
        tokens: 3000,
        micros: 2 * MICROS_PER_ANSWER,
      });
    });

    it('refuses an exchange over the daily token budget before any provider is called', async () => {
      const capped = await createTenant('capped', {
        ...ONLY_OPENAI,
        allowed_models: ['gpt-4o-mini', 'local-extractive'],
        rate_limits: { tokens_per_day: 100 },
      });
      await expectRefused(capped, 'tokens_per_day');

      // The local responder costs nothing and is not held to the budget.
      const local = await capped.request(
        'user',
        CHAT.SEND,
        question({ model: 'local-extractive' }),
      );
      expect(local.model_used).toBe('local-extractive');
    });

    it('refuses an exchange over the monthly spending budget', async () => {
      const frugal = await createTenant('frugal', {
        ...ONLY_OPENAI,
        rate_limits: { monthly_budget_usd: 0.0001 },
      });
      await expectRefused(frugal, 'monthly_budget_usd');
    });

    it('emits budget.alert when a reservation crosses 80% of a budget', async () => {
      const watched = await createTenant('watched', {
        ...ONLY_OPENAI,
        rate_limits: { tokens_per_day: 1000 },
      });
      fake.respond('openai', { text: 'Fine.', usage: { input: 10, output: 5 } });
      await watched.request('user', CHAT.SEND, question({ max_tokens: 850 }));

      const events = await redis.xrange(`${stack.env.REDIS_PREFIX}:evt:budget.alert`, '-', '+');
      const alerts = events
        .map(([, fields]) => (JSON.parse(fields[1]) as { data: Record<string, unknown> }).data)
        .filter((event) => event.tenantId === watched.id);
      expect(alerts).toEqual([
        {
          tenantId: watched.id,
          eventId: expect.any(String),
          budget: 'tokens_per_day',
          used_fraction: expect.any(Number),
        },
      ]);
      expect(alerts[0].used_fraction).toBeGreaterThanOrEqual(0.8);
      expect(alerts[0].used_fraction).toBeLessThanOrEqual(1);
      expect(await budgetCounters(watched.id)).toEqual({ tokens: 15, micros: 5 });
    });
  });

  async function expectRefused(tenant: Tenant, budget: string) {
    const requestsBefore = fake.requests.length;
    const requestId = randomUUID();
    await expect(
      tenant.request({ role: 'user', requestId }, CHAT.SEND, question()),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', status: 402, details: { budget } });
    expect(fake.requests).toHaveLength(requestsBefore);
    const records = await owner.query(
      `SELECT outcome, error_code, input_tokens, output_tokens FROM usage_records WHERE request_id = $1`,
      [requestId],
    );
    expect(records).toEqual([
      { outcome: 'error', error_code: 'BUDGET_EXCEEDED', input_tokens: 0, output_tokens: 0 },
    ]);
  }

  /** The tenant's budget counters in Redis, whatever today's key is. */
  async function budgetCounters(tenantId: string) {
    const prefix = `${stack.env.REDIS_PREFIX}:budget`;
    const [tokenKey] = await redis.keys(`${prefix}:tokens:${tenantId}:*`);
    const [usdKey] = await redis.keys(`${prefix}:usd:${tenantId}:*`);
    const [tokens, micros] = await redis.mget(String(tokenKey), String(usdKey));
    return { tokens: Number(tokens), micros: Number(micros) };
  }
});
