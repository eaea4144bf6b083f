import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { AccessChanges } from './access-changes';
import { EventOutbox } from './event-outbox';
import { EventOutboxRepository } from './event-outbox.repository';

/** What the tenants service tells the others: access changes now, tenant events through the outbox. */
@Module({
  // The relay publishes every tenant's events: a platform-wide reader.
  imports: [PlatformDatabaseModule],
  providers: [AccessChanges, EventOutbox, EventOutboxRepository],
  exports: [AccessChanges, EventOutbox],
})
export class EventsModule {}
