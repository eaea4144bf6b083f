import { type DynamicModule, Module } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';

import { AssistantModule } from './assistant/assistant.module';
import { ChatModule } from './chat/chat.module';
import type { ChatConfig } from './config';
import { ConversationModule } from './conversation/conversation.module';
import { CoreModule } from './core/core.module';
import { ExportModule } from './export/export.module';
import { FeedbackModule } from './feedback/feedback.module';
import { HandoffModule } from './handoff/handoff.module';
import { ModelsModule } from './models/models.module';
import { UsageModule } from './usage/usage.module';

/**
 * The chat service: conversations, LLM providers with fallback, prompt assembly, streaming,
 * usage records. Calls the tenants service for the tenant's settings and rag for context.
 */
@Module({})
export class AppModule {
  static register(config: ChatConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config, logger),
        ChatModule,
        AssistantModule,
        ConversationModule,
        HandoffModule,
        ModelsModule,
        UsageModule,
        FeedbackModule,
        ExportModule,
      ],
    };
  }
}
