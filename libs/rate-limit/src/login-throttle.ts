import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginThrottleOptions {
  keyPrefix: string;
  /** Attempts one client IP may make per window, successful or not. */
  attemptsPerIp: number;
  /** Failed attempts one account may take per window before it is locked for the window. */
  failuresPerAccount: number;
  windowSeconds: number;
}

/**
 * Slows down password guessing, shared by every gateway replica through Redis: every attempt
 * counts against the client IP, every failure against the account, and a success clears
 * the account's failures.
 */
export class LoginThrottle {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly options: LoginThrottleOptions,
  ) {
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:login-ip`,
      points: options.attemptsPerIp,
      duration: options.windowSeconds,
    });
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:login-account`,
      points: options.failuresPerAccount,
      duration: options.windowSeconds,
    });
  }

  /** Counts the attempt; throws RATE_LIMITED when the IP or the account is over its limit. */
  async admit(ip: string, account: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (error) {
      throw tooManyAttempts(error);
    }
    const failures = await this.perAccount.get(account);
    if (failures && failures.consumedPoints >= this.options.failuresPerAccount) {
      throw tooManyAttempts(failures);
    }
  }

  async recordFailure(account: string): Promise<void> {
    await this.perAccount.penalty(account, 1);
  }

  async recordSuccess(account: string): Promise<void> {
    await this.perAccount.delete(account);
  }
}

function tooManyAttempts(limit: unknown): DomainError {
  if (!(limit instanceof RateLimiterRes)) return limit as DomainError;
  const retryAfter = Math.max(1, Math.ceil(limit.msBeforeNext / 1000));
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `too many login attempts; try again in ${retryAfter} s`,
    { retry_after_s: retryAfter },
  );
}
