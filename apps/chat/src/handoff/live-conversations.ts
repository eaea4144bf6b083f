import { Inject, Injectable } from '@nestjs/common';

import {
  type ConversationMessage,
  type ConversationSummary,
  LIVE_EVENTS,
  type LiveConversationEvent,
  type TenantId,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import { CHAT_LOGGER } from '../tokens';

/**
 * Tells every gateway replica what changed in a conversation, after it committed; each hands
 * it to the sockets it holds (the tenant's agents, the conversation's own user or visitor).
 * Best effort: the conversation as stored is the record, a lost broadcast costs liveness only.
 */
@Injectable()
export class LiveConversations {
  constructor(
    private readonly transport: RedisStreamsClient,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {}

  message(tenantId: TenantId, conversationId: string, message: ConversationMessage): void {
    this.publish({
      kind: 'message',
      tenantId,
      conversationId,
      message: {
        id: message.id,
        role: message.role,
        author_id: message.author_id,
        internal: message.internal,
        content: message.content,
        created_at: message.created_at,
      },
    });
  }

  status(tenantId: TenantId, conversation: ConversationSummary): void {
    this.publish({
      kind: 'status',
      tenantId,
      conversationId: conversation.id,
      conversation: {
        id: conversation.id,
        title: conversation.title,
        status: conversation.status,
        assigned_agent_id: conversation.assigned_agent_id,
        channel: conversation.channel,
      },
    });
  }

  private publish(event: LiveConversationEvent): void {
    this.transport
      .broadcast(LIVE_EVENTS.CONVERSATION, event)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, kind: event.kind }, 'a live conversation event was lost'),
      );
  }
}
