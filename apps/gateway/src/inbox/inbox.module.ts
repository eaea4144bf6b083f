import { Module } from '@nestjs/common';

import { LiveModule } from '../live/live.module';
import { WebSocketModule } from '../websocket/websocket.module';
import { InboxController } from './inbox.controller';
import { InboxSocket } from './inbox-socket';

/** The agents' inbox: REST moves and the live socket. */
@Module({
  imports: [WebSocketModule, LiveModule],
  controllers: [InboxController],
  providers: [InboxSocket],
})
export class InboxModule {}
