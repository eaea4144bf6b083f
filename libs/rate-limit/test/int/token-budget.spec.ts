import { randomUUID } from 'node:crypto';

import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { DomainError } from '@tenantbot/contracts';

import { TokenBudget } from '../../src';

describe('TokenBudget (real Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const budget = new TokenBudget(redis, `${process.env.REDIS_PREFIX ?? 'tbtest'}:budget-spec`);
  const now = new Date('2026-11-22T12:00:00Z');

  afterAll(() => redis.quit());

  it('reserves an estimate, settles the actual usage, and refuses what would not fit', async () => {
    const tenant = randomUUID();
    const limits = { tokens_per_day: 1000 };

    const first = await budget.reserve(tenant, limits, { tokens: 600, micro_usd: 0 }, now);
    await budget.settle(first, { tokens: 250, micro_usd: 0 });
    expect((await budget.usage(tenant, now)).tokens_today).toBe(250);

    await budget.reserve(tenant, limits, { tokens: 750, micro_usd: 0 }, now);
    const refused = budget.reserve(tenant, limits, { tokens: 1, micro_usd: 0 }, now);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      status: 402,
      details: { budget: 'tokens_per_day', used: 1000, limit: 1000 },
    });
  });

  it('keeps the monthly USD budget to the micro-dollar', async () => {
    const tenant = randomUUID();
    const limits = { monthly_budget_usd: 0.01 };

    const reservation = await budget.reserve(tenant, limits, { tokens: 10, micro_usd: 9_999 }, now);
    await budget.settle(reservation, { tokens: 10, micro_usd: 10_000 });

    expect((await budget.usage(tenant, now)).usd_this_month).toBe(0.01);
    await expect(
      budget.reserve(tenant, limits, { tokens: 1, micro_usd: 1 }, now),
    ).rejects.toMatchObject({
      details: { budget: 'monthly_budget_usd', used: 0.01, limit: 0.01 },
    });
    const nextMonth = new Date('2026-12-01T00:00:00Z');
    await expect(
      budget.reserve(tenant, limits, { tokens: 1, micro_usd: 1 }, nextMonth),
    ).resolves.toBeDefined();
  });

  it('never lets concurrent calls overspend together', async () => {
    const tenant = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        budget.reserve(tenant, { tokens_per_day: 1000 }, { tokens: 100, micro_usd: 0 }, now),
      ),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10);
    expect((await budget.usage(tenant, now)).tokens_today).toBe(1000);
  });

  it('raises the soft alert once, on the reservation that crosses 80%', async () => {
    const tenant = randomUUID();
    const limits = { tokens_per_day: 1000 };
    const alerts = [];
    for (let i = 0; i < 10; i++) {
      alerts.push((await budget.reserve(tenant, limits, { tokens: 100, micro_usd: 0 }, now)).alert);
    }

    expect(alerts.filter(Boolean)).toEqual([{ budget: 'tokens_per_day', used_fraction: 0.8 }]);
    expect(alerts[7]).toBeDefined();
  });

  it('lets everything through without limits', async () => {
    const reservation = await budget.reserve(
      randomUUID(),
      {},
      { tokens: 1e9, micro_usd: 1e12 },
      now,
    );
    expect(reservation.alert).toBeUndefined();
  });
});
