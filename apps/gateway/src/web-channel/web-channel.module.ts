import { Module } from '@nestjs/common';

import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { CorsPolicy } from './cors-policy';
import { OriginDirectory } from './origin-directory';
import { VisitorAuthenticator } from './visitor-authenticator';
import { VisitorChat } from './visitor-chat';
import { VisitorMessageLimits } from './visitor-limits';
import { VisitorSocketChannel } from './visitor-socket-channel';
import { VisitorTokens } from './visitor-tokens';
import { WidgetAssetsController } from './widget-assets.controller';
import { WidgetSessionsController } from './widget-sessions.controller';
import { WidgetsController } from './widgets.controller';

/**
 * Websites' chat widgets: their administration, their public files and visitor sessions, the
 * visitors' tokens and message limits, and CORS per tenant and widget.
 */
@Module({
  imports: [RateLimitModule],
  controllers: [WidgetsController, WidgetSessionsController, WidgetAssetsController],
  providers: [
    CorsPolicy,
    OriginDirectory,
    VisitorTokens,
    VisitorAuthenticator,
    VisitorMessageLimits,
    VisitorChat,
    VisitorSocketChannel,
  ],
  exports: [CorsPolicy, VisitorAuthenticator, VisitorChat, VisitorSocketChannel],
})
export class WebChannelModule {}
