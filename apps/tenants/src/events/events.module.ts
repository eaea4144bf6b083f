import { Module } from '@nestjs/common';

import { AccessChanges } from './access-changes';
import { EventOutbox } from './event-outbox';
import { EventOutboxRepository } from './event-outbox.repository';

/** What the tenants service tells the others: access changes now, tenant events through the outbox. */
@Module({
  providers: [AccessChanges, EventOutbox, EventOutboxRepository],
  exports: [AccessChanges, EventOutbox],
})
export class EventsModule {}
