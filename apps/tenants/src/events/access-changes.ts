import { Inject, Injectable } from '@nestjs/common';

import { ACCESS_EVENTS, type AccessChangedEvent } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import { LOGGER } from '../tokens';

/**
 * Tells every gateway and chat replica that a tenant, user or API key changed, so they drop
 * what they cached about it. Call it after the change committed: announced earlier, a replica
 * could read the old state again and cache it.
 */
@Injectable()
export class AccessChanges {
  constructor(
    private readonly transport: RedisStreamsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async announce(change: AccessChangedEvent): Promise<void> {
    try {
      await this.transport.broadcast(ACCESS_EVENTS.CHANGED, change);
    } catch (error) {
      // The change stands; caches drop it when their entries expire (ADR caller cache).
      this.logger.warn({ err: error, change }, 'announcing an access change failed');
    }
  }
}
