import { SetMetadata } from '@nestjs/common';

import type { OpenedWidget } from '@tenantbot/contracts';

export const VISITOR_ALLOWED = 'tenantbot:visitor-allowed';

/** A widget visitor's token may call this route; on every other route it is refused (403). */
export const VisitorAllowed = () => SetMetadata(VISITOR_ALLOWED, true);

declare module 'fastify' {
  interface FastifyRequest {
    /** The widget a visitor's request came through, with its limits. */
    visitorWidget?: OpenedWidget['widget'];
  }
}
