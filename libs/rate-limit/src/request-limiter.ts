import type { Redis } from 'ioredis';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { CounterLeases, type CounterPosition } from './counter-leases';

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

/** A lease is at most this many tokens… */
const MOST_LEASED = 64;
/** …and at most a sixteenth of what the window has left: near the limit, none. */
const LEASED_SHARE_OF_LEFT = 16;

/**
 * KEYS: one fixed-window counter per limit. ARGV: for each counter, its window in seconds, its
 * points, and whether this request takes a lease (1 or 0). Counts one request on every counter
 * (a window starts at its first request); a request under the limit that takes a lease also
 * counts the lease's tokens, a share of what is left (ADR 0042). Returns for each counter its
 * count after the request, milliseconds left and tokens leased, flattened: one round trip for
 * all limits.
 */
const COUNT_LUA = `
local results = {}
for i, key in ipairs(KEYS) do
  local window = ARGV[3 * i - 2]
  local points = tonumber(ARGV[3 * i - 1])
  redis.call('SET', key, 0, 'EX', window, 'NX')
  local consumed = redis.call('INCR', key)
  local leased = 0
  if ARGV[3 * i] == '1' and consumed < points then
    leased = math.min(${MOST_LEASED}, math.floor((points - consumed) / ${LEASED_SHARE_OF_LEFT}))
    if leased > 0 then
      redis.call('INCRBY', key, leased)
    end
  end
  local ttl = redis.call('PTTL', key)
  if ttl == -1 then
    redis.call('EXPIRE', key, window)
    ttl = 1000 * window
  end
  results[3 * i - 2] = consumed
  results[3 * i - 1] = ttl
  results[3 * i] = leased
end
return results`;

type RedisWithLimits = Redis & {
  countRequestLimits(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/** A counter this request has no lease on: counted in Redis. */
interface Unleased {
  limit: Limit;
  key: string;
}

/**
 * Fixed-window request limits in Redis, shared by every gateway replica. Limits are checked
 * together; a request over any of them is refused with RATE_LIMITED and a Retry-After.
 *
 * Far from a limit, a replica counts a few requests ahead (a lease, ADR 0042) and admits the
 * next ones without a round trip; the shared count already holds them, so no replica can admit
 * more than the limit. Near it (less than 16 requests left), every request is counted in Redis.
 */
export class RequestLimiter {
  private readonly leases = new CounterLeases();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    if (!('countRequestLimits' in redis)) {
      redis.defineCommand('countRequestLimits', { lua: COUNT_LUA });
    }
  }

  /**
   * Counts the request against every limit at once (from this replica's leases, and one
   * script for the counters without one); returns the tightest state, or throws RATE_LIMITED
   * for the first limit exceeded. Every counter is counted, the refused request included, as
   * each limit counts every attempt.
   */
  async consume(limits: Limit[]): Promise<LimitState> {
    if (limits.length === 0) {
      return { limit: 0, remaining: 0, resetSeconds: 0 };
    }
    const now = Date.now();
    const keys = limits.map((limit) => this.keyOf(limit));
    const fromLeases = keys.map((key) => this.leases.spend(key, now));
    const unleased = limits.flatMap((limit, i) => (fromLeases[i] ? [] : [{ limit, key: keys[i] }]));
    const fromRedis = unleased.length > 0 ? await this.count(unleased) : [];
    let next = 0;
    const positions = fromLeases.map((leased) => leased ?? fromRedis[next++]);
    const answeredAt = Date.now();
    const states = limits.map((limit, i) => {
      const state = stateOf(limit, positions[i], answeredAt);
      if (positions[i].position > limit.points) {
        throw refusal(limit, state);
      }
      return state;
    });
    return states.reduce((tightest, state) =>
      state.remaining < tightest.remaining ? state : tightest,
    );
  }

  /**
   * Counts one request on each counter in Redis, taking a lease on those no other request of
   * this process is taking one for. A request Redis finds over a limit is admitted after all
   * when a lease taken meanwhile holds a token: that token was counted within the limit.
   */
  private async count(counters: Unleased[]): Promise<CounterPosition[]> {
    const takes = counters.map(({ key }) => this.leases.startTaking(key));
    const sentAt = Date.now();
    let reply: number[];
    try {
      reply = await (this.redis as RedisWithLimits).countRequestLimits(
        counters.length,
        ...counters.map(({ key }) => key),
        ...counters.flatMap(({ limit }, i) => [
          limit.windowSeconds,
          limit.points,
          takes[i] ? 1 : 0,
        ]),
      );
    } catch (error) {
      counters.forEach(({ key }, i) => takes[i] && this.leases.notTaken(key));
      throw error;
    }
    return counters.map(({ limit, key }, i) => {
      const [consumed, msLeft, leased] = reply.slice(3 * i, 3 * i + 3).map(Number);
      const windowEndsAt = sentAt + msLeft;
      if (takes[i]) {
        if (leased > 0) {
          this.leases.taken(key, leased, consumed + leased, windowEndsAt);
        } else {
          this.leases.notTaken(key);
        }
      }
      if (consumed > limit.points) {
        return this.leases.spend(key, Date.now()) ?? { position: consumed, windowEndsAt };
      }
      return { position: consumed, windowEndsAt };
    });
  }

  /** The key rate-limiter-flexible used, so that counters carry over a deployment. */
  private keyOf(limit: Limit): string {
    return `${this.keyPrefix}:rl:${limit.points}/${limit.windowSeconds}:${limit.subject}`;
  }
}

function stateOf(
  limit: Limit,
  { position, windowEndsAt }: CounterPosition,
  now: number,
): LimitState {
  return {
    limit: limit.points,
    remaining: Math.max(0, limit.points - position),
    resetSeconds: Math.max(0, Math.ceil((windowEndsAt - now) / 1000)),
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
