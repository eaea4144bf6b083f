import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LiveModule } from '../live/live.module';
import { WebChannelModule } from '../web-channel/web-channel.module';
import { WebSocketModule } from '../websocket/websocket.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ChatEventStream } from './chat-event-stream';
import { ChatSocket } from './chat-socket';

/** Chat over JSON, Server-Sent Events and the WebSocket, for users, API keys and visitors. */
@Module({
  imports: [AuthModule, IdempotencyModule, WebChannelModule, WebSocketModule, LiveModule],
  controllers: [ChatController],
  providers: [ChatService, ChatEventStream, ChatSocket],
  exports: [ChatService],
})
export class ChatModule {}
