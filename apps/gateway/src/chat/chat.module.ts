import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { LiveModule } from '../live/live.module';
import { WebChannelModule } from '../web-channel/web-channel.module';
import { WebSocketModule } from '../websocket/websocket.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ChatEventStream } from './chat-event-stream';
import { ChatSocket } from './chat-socket';

/** Chat over JSON, Server-Sent Events and the WebSocket, for users, API keys and visitors. */
@Module({
  imports: [AuthModule, WebChannelModule, WebSocketModule, LiveModule],
  controllers: [ChatController],
  providers: [ChatService, ChatEventStream, ChatSocket],
})
export class ChatModule {}
