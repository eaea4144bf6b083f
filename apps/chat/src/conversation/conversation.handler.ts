import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  CHAT,
  type ConversationDetail,
  conversationListRequestSchema,
  type ConversationPage,
  conversationRefSchema,
  type DeleteConversationReply,
  parseOrThrow,
} from '@tenantbot/contracts';

import { messageCaller } from '../core/message-caller';
import { ConversationService } from './conversation.service';

@Controller()
export class ConversationHandler {
  constructor(private readonly conversations: ConversationService) {}

  @MessagePattern(CHAT.CONVERSATIONS_LIST)
  list(@Payload() payload: unknown): Promise<ConversationPage> {
    const request = parseOrThrow(conversationListRequestSchema, payload ?? {});
    return this.conversations.list(messageCaller(), request);
  }

  @MessagePattern(CHAT.CONVERSATIONS_GET)
  get(@Payload() payload: unknown): Promise<ConversationDetail> {
    const { id } = parseOrThrow(conversationRefSchema, payload);
    return this.conversations.get(messageCaller(), id);
  }

  @MessagePattern(CHAT.CONVERSATIONS_DELETE)
  delete(@Payload() payload: unknown): Promise<DeleteConversationReply> {
    const { id } = parseOrThrow(conversationRefSchema, payload);
    return this.conversations.delete(messageCaller(), id);
  }
}
