import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** One limit to check: a subject (e.g. `tenant:<id>`) may make `points` requests per `windowSeconds`. */
export interface Limit {
  subject: string;
  points: number;
  windowSeconds: number;
}

/** What the RateLimit-* headers report: the limit closest to running out. */
export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * Fixed-window request limits in Redis, shared by every gateway replica. Limits are checked
 * together; a request over any of them is refused with RATE_LIMITED and a Retry-After.
 */
export class RequestLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /**
   * Counts the request against every limit at once (one round trip, not one per limit);
   * returns the tightest state, or throws RATE_LIMITED for the first limit exceeded.
   */
  async consume(limits: Limit[]): Promise<LimitState> {
    const outcomes = await Promise.allSettled(limits.map((limit) => this.consumeOne(limit)));
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    if (refused) throw refused.reason;
    const states = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<LimitState>).value);
    return (
      states.reduce<LimitState | undefined>(
        (tightest, state) => (!tightest || state.remaining < tightest.remaining ? state : tightest),
        undefined,
      ) ?? { limit: 0, remaining: 0, resetSeconds: 0 }
    );
  }

  private async consumeOne(limit: Limit): Promise<LimitState> {
    try {
      const result = await this.limiterFor(limit).consume(limit.subject);
      return stateOf(limit, result);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const state = stateOf(limit, error);
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        `rate limit of ${limit.points} requests per ${describeWindow(limit.windowSeconds)} exceeded`,
        {
          retry_after_s: Math.max(1, state.resetSeconds),
          limit: state.limit,
          remaining: 0,
          reset_s: state.resetSeconds,
        },
      );
    }
  }

  private limiterFor(limit: Limit): RateLimiterRedis {
    const key = `${limit.points}/${limit.windowSeconds}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.keyPrefix}:rl:${key}`,
        points: limit.points,
        duration: limit.windowSeconds,
      });
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}

function stateOf(limit: Limit, result: RateLimiterRes): LimitState {
  return {
    limit: limit.points,
    remaining: Math.max(0, result.remainingPoints),
    resetSeconds: Math.ceil(result.msBeforeNext / 1000),
  };
}

function describeWindow(seconds: number): string {
  return seconds === 3600 ? 'hour' : seconds === 60 ? 'minute' : `${seconds} s`;
}
