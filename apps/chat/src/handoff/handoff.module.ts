import { Module } from '@nestjs/common';

import { HandoffHandler } from './handoff.handler';
import { HandoffRepository } from './handoff.repository';
import { HandoffService } from './handoff.service';
import { HandoffSettingsRepository } from './handoff-settings.repository';
import { HandoffSettingsService } from './handoff-settings.service';
import { LiveConversations } from './live-conversations';

/** Human handoff: the owner's request, the agents' inbox and moves, live to the gateways. */
@Module({
  controllers: [HandoffHandler],
  providers: [
    HandoffRepository,
    HandoffService,
    HandoffSettingsRepository,
    HandoffSettingsService,
    LiveConversations,
  ],
  exports: [HandoffService, HandoffSettingsService],
})
export class HandoffModule {}
