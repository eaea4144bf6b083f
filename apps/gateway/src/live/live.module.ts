import { Module } from '@nestjs/common';

import { LiveConversations } from './live-conversations';

/** Conversations' live events (handoff), fanned out over Redis to the sockets of each replica. */
@Module({
  providers: [LiveConversations],
  exports: [LiveConversations],
})
export class LiveModule {}
