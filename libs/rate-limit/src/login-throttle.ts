import type { Redis } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

export interface LoginThrottleOptions {
  keyPrefix: string;
  /** Failed logins one client address may make per `ipWindowSeconds` before it is blocked. */
  failuresPerIp: number;
  /** The per-address window, and how long a blocked address stays blocked. */
  ipWindowSeconds: number;
  /** Consecutive failed logins of one account from one address before that pair is blocked. */
  failuresPerAccountAndIp: number;
  /** How long an (account, address) pair stays blocked. */
  blockSeconds: number;
}

/** One login attempt: where it comes from and, once resolved, which account it is for. */
export interface LoginAttempt {
  ip: string;
  /** The resolved account (tenant and user ids), or the normalised identifier of an unknown one. */
  account?: string;
}

/** Consecutive failures of a pair are forgotten after this long without a success (the recipe's 90 days). */
const CONSECUTIVE_FAILURES_TTL_S = 90 * 86_400;

/**
 * Slows password guessing without locking anyone out from everywhere, after
 * rate-limiter-flexible's "Login endpoint protection" recipe, shared by every replica through
 * Redis. Only failures count: per client address (`limiterSlowBruteByIP`), and consecutively
 * per account and address (`limiterConsecutiveFailsByUsernameAndIP`), which a success resets.
 * An attacker's address gets blocked; the account's owner, from another address, still logs in.
 */
export class LoginThrottle {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccountAndIp: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly options: LoginThrottleOptions,
  ) {
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:login-fail-ip`,
      points: options.failuresPerIp,
      duration: options.ipWindowSeconds,
    });
    this.perAccountAndIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:login-fail-account-ip`,
      points: options.failuresPerAccountAndIp,
      duration: CONSECUTIVE_FAILURES_TTL_S,
    });
  }

  /** Throws RATE_LIMITED (with retry_after_s) when the address, or the pair, is blocked. */
  async admit(attempt: LoginAttempt): Promise<void> {
    const [byIp, byPair] = await Promise.all([
      this.perIp.get(clientKey(attempt.ip)),
      attempt.account ? this.perAccountAndIp.get(pairKey(attempt)) : null,
    ]);
    for (const [state, limit] of [
      [byIp, this.options.failuresPerIp],
      [byPair, this.options.failuresPerAccountAndIp],
    ] as const) {
      if (state && state.consumedPoints > limit) {
        throw tooManyAttempts(state);
      }
    }
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.countFailure(this.perIp, clientKey(attempt.ip), this.options.ipWindowSeconds),
      attempt.account
        ? this.countFailure(this.perAccountAndIp, pairKey(attempt), this.options.blockSeconds)
        : undefined,
    ]);
  }

  /** A success clears the pair's consecutive failures; the address keeps its count. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    if (attempt.account) {
      await this.perAccountAndIp.delete(pairKey(attempt));
    }
  }

  /** Counts a failure; the one that reaches the limit blocks the key (consumed > points). */
  private async countFailure(limiter: RateLimiterRedis, key: string, blockSeconds: number) {
    let consumed: number;
    try {
      consumed = (await limiter.consume(key)).consumedPoints;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) {
        throw error;
      }
      consumed = error.consumedPoints;
    }
    if (consumed >= limiter.points) {
      await limiter.block(key, blockSeconds);
    }
  }
}

/**
 * The address a client is counted under: IPv4-mapped IPv6 as IPv4, and IPv6 by its /64,
 * which one subscriber usually holds whole (rotating inside it must not dodge the limit).
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) {
    return ip.slice(0, 64) || 'unknown';
  }
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') {
    return address.toString();
  }
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${prefix.map((part) => part.toString(16)).join(':')}::/64`;
}

function pairKey(attempt: LoginAttempt): string {
  return `${attempt.account}|${clientKey(attempt.ip)}`;
}

function tooManyAttempts(state: RateLimiterRes): DomainError {
  const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `too many failed logins; try again in ${retryAfter} s`,
    { retry_after_s: retryAfter },
  );
}
