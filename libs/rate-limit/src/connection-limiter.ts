import type { Redis } from 'ioredis';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

/** At most `max` connections open at once for `subject` (e.g. `user:<id>`, `tenant:<id>`). */
export interface ConnectionSlot {
  subject: string;
  max: number;
  /** Who the cap is for, in the refusal's message: "user or API key", "tenant". */
  label: string;
}

/**
 * KEYS: one sorted set per subject, members the connection ids, scores the end of their lease
 * (Redis time, ms). ARGV: connection id, lease ms, then each key's cap. Drops expired leases,
 * refuses if any subject is at its cap, else leases the connection on every subject: all or
 * nothing, atomically, so concurrent upgrades on several replicas cannot exceed a cap together.
 */
const ACQUIRE_LUA = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local member, leaseMs = ARGV[1], tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', nowMs)
  local open = redis.call('ZCARD', key)
  if not redis.call('ZSCORE', key, member) and open >= tonumber(ARGV[2 + i]) then return {i, open} end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, nowMs + leaseMs, member)
  redis.call('PEXPIRE', key, leaseMs)
end
return {0, 0}`;

/** KEYS: the connection's sorted sets. ARGV: connection id, lease ms. Extends its lease on each. */
const RENEW_LUA = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, nowMs + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, ARGV[2])
end
return 1`;

type RedisWithLeases = Redis & {
  acquireConnection(...args: (string | number)[]): Promise<[number, number]>;
  renewConnection(...args: (string | number)[]): Promise<number>;
};

/**
 * Caps on connections open at once (WebSockets), counted in Redis so that a cap holds across
 * every gateway replica. A connection holds a lease that its replica renews while it is open;
 * the connections of a replica that died stop counting when their lease runs out.
 */
export class ConnectionLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    if (!('acquireConnection' in redis)) {
      redis.defineCommand('acquireConnection', { lua: ACQUIRE_LUA });
      redis.defineCommand('renewConnection', { lua: RENEW_LUA });
    }
  }

  /** Leases a place on every slot, or throws RATE_LIMITED naming the slot that is full. */
  async acquire(
    slots: ConnectionSlot[],
    connectionId: string,
    leaseSeconds: number,
  ): Promise<ConnectionLease> {
    const keys = slots.map((slot) => this.keyOf(slot.subject));
    const leaseMs = leaseSeconds * 1000;
    const [full, open] = await (this.redis as RedisWithLeases).acquireConnection(
      keys.length,
      ...keys,
      connectionId,
      leaseMs,
      ...slots.map((slot) => slot.max),
    );
    if (full > 0) {
      const slot = slots[full - 1];
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        `too many open connections of this ${slot.label} (at most ${slot.max})`,
        { retry_after_s: Math.max(1, Math.ceil(leaseSeconds / 3)), limit: slot.max, open },
      );
    }
    return new ConnectionLease(this.redis as RedisWithLeases, keys, connectionId, leaseMs);
  }

  /** Connections open now on a subject (leases not yet run out). */
  async openCount(subject: string): Promise<number> {
    return this.redis.zcount(this.keyOf(subject), `(${await this.redisTimeMs()}`, '+inf');
  }

  private keyOf(subject: string): string {
    return `${this.keyPrefix}:connections:${subject}`;
  }

  private async redisTimeMs(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }
}

/** One open connection's places; renew it well within the lease, release it when it closes. */
export class ConnectionLease {
  private released = false;
  private renewing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: RedisWithLeases,
    private readonly keys: string[],
    private readonly connectionId: string,
    private readonly leaseMs: number,
  ) {}

  async renew(): Promise<void> {
    if (this.released) {
      return;
    }
    this.renewing = this.redis.renewConnection(
      this.keys.length,
      ...this.keys,
      this.connectionId,
      this.leaseMs,
    );
    await this.renewing;
  }

  async release(): Promise<void> {
    if (this.released) {
      return;
    }
    this.released = true;
    // A renewal still on its way would put the connection back after its removal.
    await this.renewing.catch(() => undefined);
    await Promise.all(this.keys.map((key) => this.redis.zrem(key, this.connectionId)));
  }
}
