import { Controller } from '@nestjs/common';

import {
  type Caller,
  CHAT,
  type ConversationDetail,
  type ConversationPage,
  type DeleteConversationReply,
  type ParsedRequestOf,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { ConversationService } from './conversation.service';

@Controller()
export class ConversationHandler {
  constructor(private readonly conversations: ConversationService) {}

  @Handles(CHAT.CONVERSATIONS_LIST)
  list(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.CONVERSATIONS_LIST)
    request: ParsedRequestOf<typeof CHAT.CONVERSATIONS_LIST>,
  ): Promise<ConversationPage> {
    return this.conversations.list(caller, request);
  }

  @Handles(CHAT.CONVERSATIONS_GET)
  get(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.CONVERSATIONS_GET) ref: ParsedRequestOf<typeof CHAT.CONVERSATIONS_GET>,
  ): Promise<ConversationDetail> {
    return this.conversations.get(caller, ref.id);
  }

  @Handles(CHAT.CONVERSATIONS_DELETE)
  delete(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.CONVERSATIONS_DELETE)
    ref: ParsedRequestOf<typeof CHAT.CONVERSATIONS_DELETE>,
  ): Promise<DeleteConversationReply> {
    return this.conversations.delete(caller, ref.id);
  }
}
