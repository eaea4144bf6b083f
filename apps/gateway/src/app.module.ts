import { type DynamicModule, Module } from '@nestjs/common';

import { AdminModule } from './admin/admin.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AssistantsModule } from './assistants/assistants.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { ConsoleModule } from './console/console.module';
import { CoreModule, type GatewayRuntime } from './core/core.module';
import { ExportsModule } from './exports/exports.module';
import { FeedbackModule } from './feedback/feedback.module';
import { HealthModule } from './health/health.module';
import { RequestPipelineModule } from './http/request-pipeline.module';
import { InboxModule } from './inbox/inbox.module';
import { OpenAiModule } from './openai/openai.module';
import { PlatformModule } from './platform/platform.module';
import { PlatformViewsModule } from './platform-views/platform-views.module';
import { RagModule } from './rag/rag.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsersModule } from './users/users.module';
import { WebChannelModule } from './web-channel/web-channel.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The gateway: the process-wide runtime, the request pipeline, and one module per feature. */
@Module({})
export class GatewayModule {
  static register(runtime: GatewayRuntime): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        CoreModule.register(runtime),
        RequestPipelineModule,
        PlatformModule,
        HealthModule,
        AuthModule,
        TenantsModule,
        UsersModule,
        ApiKeysModule,
        AdminModule,
        PlatformViewsModule,
        ChatModule,
        AssistantsModule,
        InboxModule,
        RagModule,
        WebChannelModule,
        WebhooksModule,
        FeedbackModule,
        ExportsModule,
        ConsoleModule,
        OpenAiModule,
      ],
    };
  }
}
