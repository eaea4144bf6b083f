import { Inject, Injectable } from '@nestjs/common';

import type { WidgetLimits } from '@tenantbot/contracts';
import { type LimitState, RequestLimiter } from '@tenantbot/rate-limit';
import type { Principal } from '@tenantbot/tenant-context';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

const DAY_S = 86_400;

/**
 * A widget's message limits, per visitor: per minute and per day. Counted once per chat
 * message on every channel (REST, SSE, WebSocket); RATE_LIMITED with Retry-After above them.
 */
@Injectable()
export class VisitorMessageLimits {
  constructor(
    private readonly limiter: RequestLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  consume(principal: Principal, limits: WidgetLimits): Promise<LimitState> {
    const subject = `visitor-messages:${principal.widgetId}:${principal.visitorId}`;
    return this.limiter.consume([
      {
        subject,
        points: limits.messages_per_minute,
        windowSeconds: this.config.RATE_LIMIT_MINUTE_S,
      },
      { subject, points: limits.messages_per_visitor_per_day, windowSeconds: DAY_S },
    ]);
  }
}
