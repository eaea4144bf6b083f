import type { Redis } from 'ioredis';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

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
 * KEYS: one fixed-window counter per limit. ARGV: each counter's window in seconds, in order.
 * Counts one request on every counter (a window starts at its first request) and returns each
 * counter's count and milliseconds left, flattened: rate-limiter-flexible's script, once per
 * key, in one round trip instead of one per limit.
 */
const CONSUME_LUA = `
local results = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  local consumed = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 then
    redis.call('EXPIRE', key, ARGV[i])
    ttl = 1000 * ARGV[i]
  end
  results[2 * i - 1] = consumed
  results[2 * i] = ttl
end
return results`;

type RedisWithLimits = Redis & {
  consumeRequestLimits(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/**
 * Fixed-window request limits in Redis, shared by every gateway replica. Limits are checked
 * together; a request over any of them is refused with RATE_LIMITED and a Retry-After.
 */
export class RequestLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    if (!('consumeRequestLimits' in redis)) {
      redis.defineCommand('consumeRequestLimits', { lua: CONSUME_LUA });
    }
  }

  /**
   * Counts the request against every limit at once (one script, one round trip); returns the
   * tightest state, or throws RATE_LIMITED for the first limit exceeded. Every counter is
   * counted, the refused request included, as each limit counts every attempt.
   */
  async consume(limits: Limit[]): Promise<LimitState> {
    if (limits.length === 0) {
      return { limit: 0, remaining: 0, resetSeconds: 0 };
    }
    const counts = await (this.redis as RedisWithLimits).consumeRequestLimits(
      limits.length,
      ...limits.map((limit) => this.keyOf(limit)),
      ...limits.map((limit) => limit.windowSeconds),
    );
    const states = limits.map((limit, i) => {
      const consumed = Number(counts[2 * i]);
      const state = stateOf(limit, consumed, Number(counts[2 * i + 1]));
      if (consumed > limit.points) {
        throw refusal(limit, state);
      }
      return state;
    });
    return states.reduce((tightest, state) =>
      state.remaining < tightest.remaining ? state : tightest,
    );
  }

  /** The key rate-limiter-flexible used, so that counters carry over a deployment. */
  private keyOf(limit: Limit): string {
    return `${this.keyPrefix}:rl:${limit.points}/${limit.windowSeconds}:${limit.subject}`;
  }
}

function stateOf(limit: Limit, consumed: number, msLeft: number): LimitState {
  return {
    limit: limit.points,
    remaining: Math.max(0, limit.points - consumed),
    resetSeconds: Math.ceil(msLeft / 1000),
  };
}

function refusal(limit: Limit, state: LimitState): DomainError {
  return new DomainError(
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

function describeWindow(seconds: number): string {
  return seconds === 3600 ? 'hour' : seconds === 60 ? 'minute' : `${seconds} s`;
}
