import { Inject, Injectable } from '@nestjs/common';

import { type AuthenticatedTenant, DomainError } from '@tenantbot/contracts';
import { type Limit, type LimitState, RequestLimiter, tenantQuota } from '@tenantbot/rate-limit';
import type { RequestContext } from '@tenantbot/tenant-context';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { HttpMetrics } from '../http/http-metrics';

/** Who a request is counted against: its tenant (with its plan) and its user or API key. */
export interface LimitedCaller extends Pick<RequestContext, 'tenantId' | 'principal'> {
  tenantLimits?: Pick<AuthenticatedTenant, 'plan' | 'rate_limits'>;
}

/**
 * The request limits, whatever the channel: an HTTP request (RateLimitGuard), a WebSocket
 * upgrade and every chat message on a socket are counted by the same limits in Redis.
 */
@Injectable()
export class RequestAdmission {
  constructor(
    private readonly limiter: RequestLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: HttpMetrics,
  ) {}

  /** Counts one request; throws RATE_LIMITED over a limit. Undefined when limits are off. */
  async admit(caller: LimitedCaller, category?: string): Promise<LimitState | undefined> {
    if (!this.config.RATE_LIMITS_ENABLED) {
      return undefined;
    }
    try {
      return await this.limiter.consume(requestLimitsOf(caller, this.config, category));
    } catch (error) {
      if (error instanceof DomainError) {
        this.metrics.rateLimited(caller.tenantId);
      }
      throw error;
    }
  }
}

export function requestLimitsOf(
  { tenantId, principal, tenantLimits }: LimitedCaller,
  config: GatewayConfig,
  category: string | undefined,
): Limit[] {
  const minute = config.RATE_LIMIT_MINUTE_S;
  const limits: Limit[] = [];
  if (tenantId && tenantLimits) {
    const quota = tenantQuota(tenantLimits.plan, tenantLimits.rate_limits);
    limits.push(
      { subject: `tenant:${tenantId}`, points: quota.requests_per_minute, windowSeconds: minute },
      { subject: `tenant:${tenantId}`, points: quota.requests_per_hour, windowSeconds: 3600 },
    );
  }
  const principalId = principalSubjectOf(principal);
  if (principalId) {
    limits.push({
      subject: principalId,
      points: config.PRINCIPAL_REQUESTS_PER_MINUTE,
      windowSeconds: minute,
    });
  }
  if (category === 'ingestion' && tenantId) {
    limits.push({
      subject: `ingest:${tenantId}`,
      points: config.INGESTION_REQUESTS_PER_MINUTE,
      windowSeconds: minute,
    });
  }
  return limits;
}

/** `user:<id>` or `key:<id>`: the subject of a principal's own limits. */
export function principalSubjectOf(principal: RequestContext['principal']): string | undefined {
  if (principal?.userId) {
    return `user:${principal.userId}`;
  }
  if (principal?.apiKeyId) {
    return `key:${principal.apiKeyId}`;
  }
  if (principal?.visitorId) {
    return `visitor:${principal.widgetId}:${principal.visitorId}`;
  }
  return undefined;
}
