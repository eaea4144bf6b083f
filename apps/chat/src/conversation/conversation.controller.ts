import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CHAT,
  conversationListRequestSchema,
  conversationRefSchema,
  parseOrThrow,
  type ConversationDetail,
  type ConversationPage,
  type DeleteConversationReply,
} from '@tenantbot/contracts';
import { ConversationService } from './conversation.service';

@Controller()
export class ConversationController {
  constructor(@Inject(ConversationService) private readonly conversations: ConversationService) {}

  @MessagePattern(CHAT.CONVERSATIONS_LIST)
  list(@Payload() payload: unknown): Promise<ConversationPage> {
    return this.conversations.list(parseOrThrow(conversationListRequestSchema, payload ?? {}));
  }

  @MessagePattern(CHAT.CONVERSATIONS_GET)
  get(@Payload() payload: unknown): Promise<ConversationDetail> {
    return this.conversations.get(parseOrThrow(conversationRefSchema, payload).id);
  }

  @MessagePattern(CHAT.CONVERSATIONS_DELETE)
  delete(@Payload() payload: unknown): Promise<DeleteConversationReply> {
    return this.conversations.delete(parseOrThrow(conversationRefSchema, payload).id);
  }
}
