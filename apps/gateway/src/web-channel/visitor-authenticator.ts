import { Injectable } from '@nestjs/common';

import { DomainError, ErrorCode, type OpenedWidget, WIDGETS } from '@tenantbot/contracts';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

import { VisitorTokens } from './visitor-tokens';

export interface VisitorAuthentication extends OpenedWidget {
  context: Required<Pick<RequestContext, 'requestId' | 'tenantId' | 'principal'>>;
}

/**
 * A visitor token → the visitor's request context, on HTTP and WebSocket alike: the token
 * must verify, the request must come from the origin it was issued to (and that origin must
 * still be one of the widget's), and the widget and its tenant must still be active.
 */
@Injectable()
export class VisitorAuthenticator {
  constructor(
    private readonly tokens: VisitorTokens,
    private readonly transport: RedisStreamsClient,
  ) {}

  isVisitorToken(bearer: string): boolean {
    return this.tokens.looksLikeVisitorToken(bearer);
  }

  async authenticate(
    bearer: string,
    origin: string | undefined,
    requestId: string,
  ): Promise<VisitorAuthentication> {
    const claims = await this.tokens.verify(bearer);
    if (!origin || origin.toLowerCase() !== claims.origin) {
      throw new DomainError(
        ErrorCode.ORIGIN_NOT_ALLOWED,
        'a visitor token is only valid from the page origin it was issued to',
      );
    }
    const opened = await runWithContext({ requestId }, () =>
      this.transport.request(WIDGETS.AUTHENTICATE_VISITOR, {
        widget_id: claims.widget_id,
        tenant_id: claims.tenant_id,
      }),
    );
    if (!opened.widget.allowed_origins.includes(claims.origin)) {
      throw new DomainError(
        ErrorCode.ORIGIN_NOT_ALLOWED,
        'this widget may no longer be used from this origin',
      );
    }
    return {
      ...opened,
      context: {
        requestId,
        tenantId: opened.tenant.id,
        principal: { role: 'visitor', visitorId: claims.sub, widgetId: claims.widget_id },
      },
    };
  }
}
