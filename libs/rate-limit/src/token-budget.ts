import type { Redis } from 'ioredis';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

/** A tenant's budgets; an absent one is unlimited. */
export interface BudgetLimits {
  tokens_per_day?: number;
  monthly_budget_usd?: number;
}

/** What a call is expected to use, reserved before it runs. */
export interface BudgetEstimate {
  tokens: number;
  micro_usd: number;
}

export interface Reservation {
  tenantId: string;
  dayKey: string;
  monthKey: string;
  reserved: BudgetEstimate;
  /** A soft threshold was crossed by this reservation. */
  alert?: { budget: 'tokens_per_day' | 'monthly_budget_usd'; used_fraction: number };
}

/**
 * KEYS: day tokens, month micro-dollars. ARGV: tokens, micro-dollars, token limit (-1: none),
 * micro-dollar limit (-1: none), day TTL, month TTL. Checks both budgets and reserves on both,
 * atomically, so concurrent calls cannot overspend together.
 */
const RESERVE_LUA = `
local tokens = tonumber(redis.call('GET', KEYS[1]) or '0')
local spent = tonumber(redis.call('GET', KEYS[2]) or '0')
local wantTokens, wantMicros = tonumber(ARGV[1]), tonumber(ARGV[2])
local tokenLimit, microLimit = tonumber(ARGV[3]), tonumber(ARGV[4])
if tokenLimit >= 0 and tokens + wantTokens > tokenLimit then return {0, 'tokens_per_day', tokens, tokenLimit} end
if microLimit >= 0 and spent + wantMicros > microLimit then return {0, 'monthly_budget_usd', spent, microLimit} end
redis.call('INCRBY', KEYS[1], wantTokens)
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('INCRBY', KEYS[2], wantMicros)
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, '', tokens + wantTokens, spent + wantMicros}`;

type RedisWithBudget = Redis & {
  reserveBudget(...args: (string | number)[]): Promise<[number, string, number, number]>;
};

/**
 * Token and cost budgets per tenant: tokens per UTC day and USD per UTC month. A call
 * reserves its estimate before it runs (refused with BUDGET_EXCEEDED when it would not fit)
 * and settles the difference with its actual usage afterwards.
 */
export class TokenBudget {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly alertFraction = 0.8,
  ) {
    if (!('reserveBudget' in redis)) {
      redis.defineCommand('reserveBudget', { numberOfKeys: 2, lua: RESERVE_LUA });
    }
  }

  async reserve(
    tenantId: string,
    limits: BudgetLimits,
    estimate: BudgetEstimate,
    now = new Date(),
  ): Promise<Reservation> {
    const dayKey = `${this.keyPrefix}:budget:tokens:${tenantId}:${now.toISOString().slice(0, 10)}`;
    const monthKey = `${this.keyPrefix}:budget:usd:${tenantId}:${now.toISOString().slice(0, 7)}`;
    const tokenLimit = limits.tokens_per_day ?? -1;
    const microLimit =
      limits.monthly_budget_usd === undefined ? -1 : Math.round(limits.monthly_budget_usd * 1e6);
    const [ok, budget, used, limit] = await (this.redis as RedisWithBudget).reserveBudget(
      dayKey,
      monthKey,
      estimate.tokens,
      estimate.micro_usd,
      tokenLimit,
      microLimit,
      2 * 86_400,
      32 * 86_400,
    );
    if (!ok) {
      throw new DomainError(ErrorCode.BUDGET_EXCEEDED, budgetMessage(budget), {
        budget,
        used: budget === 'monthly_budget_usd' ? used / 1e6 : used,
        limit: budget === 'monthly_budget_usd' ? limit / 1e6 : limit,
      });
    }
    return {
      tenantId,
      dayKey,
      monthKey,
      reserved: estimate,
      alert: this.alertOf(limits, used, limit, estimate),
    };
  }

  /** Replaces the reserved estimate with what the call really used (0 when it failed). */
  async settle(reservation: Reservation, actual: BudgetEstimate): Promise<void> {
    await this.redis
      .multi()
      .incrby(reservation.dayKey, actual.tokens - reservation.reserved.tokens)
      .incrby(reservation.monthKey, actual.micro_usd - reservation.reserved.micro_usd)
      .exec();
  }

  async usage(
    tenantId: string,
    now = new Date(),
  ): Promise<{ tokens_today: number; usd_this_month: number }> {
    const [tokens, micros] = await this.redis.mget(
      `${this.keyPrefix}:budget:tokens:${tenantId}:${now.toISOString().slice(0, 10)}`,
      `${this.keyPrefix}:budget:usd:${tenantId}:${now.toISOString().slice(0, 7)}`,
    );
    return { tokens_today: Number(tokens ?? 0), usd_this_month: Number(micros ?? 0) / 1e6 };
  }

  private alertOf(
    limits: BudgetLimits,
    tokensUsed: number,
    microsUsed: number,
    estimate: BudgetEstimate,
  ) {
    const checks = [
      {
        budget: 'tokens_per_day' as const,
        used: tokensUsed,
        added: estimate.tokens,
        limit: limits.tokens_per_day,
      },
      {
        budget: 'monthly_budget_usd' as const,
        used: microsUsed,
        added: estimate.micro_usd,
        limit:
          limits.monthly_budget_usd === undefined ? undefined : limits.monthly_budget_usd * 1e6,
      },
    ];
    for (const { budget, used, added, limit } of checks) {
      if (!limit) {
        continue;
      }
      const threshold = limit * this.alertFraction;
      if (used >= threshold && used - added < threshold) {
        return { budget, used_fraction: used / limit };
      }
    }
    return undefined;
  }
}

function budgetMessage(budget: string): string {
  return budget === 'tokens_per_day'
    ? "the tenant's daily token budget is used up"
    : "the tenant's monthly spending budget is used up";
}
