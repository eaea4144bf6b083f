import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { LimitState } from '@tenantbot/rate-limit';

import { PUBLIC_ROUTE } from '../auth/decorators';
import { RequestAdmission } from './request-admission';

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
    private readonly reflector: Reflector,
    private readonly admission: RequestAdmission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const category = this.reflector.getAllAndOverride<string | undefined>(
      RATE_LIMIT_CATEGORY,
      targets,
    );
    const state = await this.admission.admit(
      { ...request.requestContext, tenantLimits: request.tenantLimits },
      category,
    );
    if (state) {
      setHeaders(http.getResponse<FastifyReply>(), state);
    }
    return true;
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
