import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { OpenAiController } from './openai.controller';
import { OpenAiService } from './openai.service';
import { OpenAiEventStream } from './openai-event-stream';

/** The OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`) on the chat service. */
@Module({
  imports: [AuthModule, ChatModule, IdempotencyModule],
  controllers: [OpenAiController],
  providers: [OpenAiService, OpenAiEventStream],
})
export class OpenAiModule {}
