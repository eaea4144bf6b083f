import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SocketSessions } from './socket-sessions';
import { UpgradeRouter } from './upgrade-router';

/**
 * What every WebSocket endpoint stands on: the server's upgrade listener, routing by path, and
 * the admission of sockets (authentication, request limits, caps on sockets open at once).
 */
@Module({
  imports: [AuthModule, RateLimitModule],
  providers: [UpgradeRouter, SocketSessions],
  exports: [UpgradeRouter, SocketSessions],
})
export class WebSocketModule {}
