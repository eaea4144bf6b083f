import { Module } from '@nestjs/common';

import { AssistantModule } from '../assistant/assistant.module';
import { BudgetModule } from '../budget/budget.module';
import { ConversationModule } from '../conversation/conversation.module';
import { ModelsModule } from '../models/models.module';
import { PromptModule } from '../prompt/prompt.module';
import { ProvidersModule } from '../providers/providers.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { TenantConfigModule } from '../tenant-config/tenant-config.module';
import { ChatHandler } from './chat.handler';
import { ChatRepository } from './chat.repository';
import { ChatService } from './chat.service';

/** Exchanges: a message in, an answer out (whole or streamed), recorded with its usage. */
@Module({
  imports: [
    AssistantModule,
    TenantConfigModule,
    ModelsModule,
    ConversationModule,
    RetrievalModule,
    PromptModule,
    ProvidersModule,
    BudgetModule,
  ],
  controllers: [ChatHandler],
  providers: [ChatRepository, ChatService],
  exports: [ChatService],
})
export class ChatModule {}
