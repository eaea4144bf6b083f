import { Module } from '@nestjs/common';

import { ConversationHandler } from './conversation.handler';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';

@Module({
  controllers: [ConversationHandler],
  providers: [ConversationRepository, ConversationService],
  exports: [ConversationService],
})
export class ConversationModule {}
