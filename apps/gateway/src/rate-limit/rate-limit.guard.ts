import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tenantQuota, RequestLimiter, type Limit, type LimitState } from '@tenantbot/rate-limit';
import { DomainError } from '@tenantbot/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { HttpMetrics } from '../http/http-metrics';
import { PUBLIC_ROUTE } from '../auth/decorators';

export const RATE_LIMIT_CATEGORY = 'tenantbot:rate-limit-category';

/** Routes that cost more than a request (document ingestion) get a stricter limit of their own. */
export const IngestionRateLimit = () => SetMetadata(RATE_LIMIT_CATEGORY, 'ingestion');

/**
 * Limits every authenticated request: per tenant by plan (or the tenant's own rate_limits),
 * per user or API key, and per tenant on ingestion routes. Sets RateLimit-Limit,
 * RateLimit-Remaining and RateLimit-Reset from the limit closest to running out.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RequestLimiter) private readonly limiter: RequestLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(HttpMetrics) private readonly metrics: HttpMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.config.RATE_LIMITS_ENABLED) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const category = this.reflector.getAllAndOverride<string | undefined>(
      RATE_LIMIT_CATEGORY,
      targets,
    );

    try {
      setHeaders(reply, await this.limiter.consume(this.limitsFor(request, category)));
    } catch (error) {
      if (error instanceof DomainError) this.metrics.rateLimited(request.requestContext.tenantId);
      throw error;
    }
    return true;
  }

  private limitsFor(request: FastifyRequest, category: string | undefined): Limit[] {
    const { tenantId, principal } = request.requestContext;
    const minute = this.config.RATE_LIMIT_MINUTE_S;
    const limits: Limit[] = [];
    if (tenantId && request.tenantLimits) {
      const quota = tenantQuota(request.tenantLimits.plan, request.tenantLimits.rate_limits);
      limits.push(
        { subject: `tenant:${tenantId}`, points: quota.requests_per_minute, windowSeconds: minute },
        { subject: `tenant:${tenantId}`, points: quota.requests_per_hour, windowSeconds: 3600 },
      );
    }
    const principalId = principal?.userId
      ? `user:${principal.userId}`
      : principal?.apiKeyId
        ? `key:${principal.apiKeyId}`
        : principal?.visitorId
          ? `visitor:${principal.widgetId}:${principal.visitorId}`
          : undefined;
    if (principalId) {
      limits.push({
        subject: principalId,
        points: this.config.PRINCIPAL_REQUESTS_PER_MINUTE,
        windowSeconds: minute,
      });
    }
    if (category === 'ingestion' && tenantId) {
      limits.push({
        subject: `ingest:${tenantId}`,
        points: this.config.INGESTION_REQUESTS_PER_MINUTE,
        windowSeconds: minute,
      });
    }
    return limits;
  }
}

export function setHeaders(
  reply: FastifyReply,
  state: Pick<LimitState, 'limit' | 'remaining' | 'resetSeconds'>,
) {
  void reply.header('RateLimit-Limit', String(state.limit));
  void reply.header('RateLimit-Remaining', String(state.remaining));
  void reply.header('RateLimit-Reset', String(state.resetSeconds));
}
