import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  MAX_HISTORY_MESSAGES,
  type ChatTurn,
  type ConversationDetail,
  type ConversationListRequest,
  type ConversationPage,
  type DeleteConversationReply,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { inTenant } from '@tenantbot/database';
import { currentCaller, seesWholeTenant, type Caller } from '../security/caller';
import { ConversationRepository, type OwnerFilter } from './conversation.repository';
import { toMessage, toSummary } from './conversation-view';

/**
 * Conversations as their callers may see them: everyone their own; tenant admins, agents
 * (and the super admin) every conversation of the tenant. A conversation the caller may not
 * see does not exist for it (CONVERSATION_NOT_FOUND), in another tenant or not.
 */
@Injectable()
export class ConversationService {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
  ) {}

  list(request: ConversationListRequest): Promise<ConversationPage> {
    const caller = currentCaller();
    if (request.scope === 'tenant' && !seesWholeTenant(caller)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        'only tenant admins and agents may list the whole tenant',
      );
    }
    const owner = request.scope === 'tenant' ? 'tenant' : ownConversations(caller);
    const page = { limit: request.limit, offset: request.offset };
    return inTenant(this.scope, caller.tenantId, async (tx) => {
      const { items, total } = await this.conversations.list(tx, owner, page);
      return { items: items.map(toSummary), total, ...page };
    });
  }

  get(id: string): Promise<ConversationDetail> {
    const caller = currentCaller();
    return inTenant(this.scope, caller.tenantId, async (tx) => {
      const conversation = await this.conversations.find(tx, id, visibleTo(caller));
      if (!conversation) throw notFound();
      const messages = await this.conversations.messages(tx, id);
      return { ...toSummary(conversation), messages: messages.map(toMessage) };
    });
  }

  delete(id: string): Promise<DeleteConversationReply> {
    const caller = currentCaller();
    if (caller.role === 'readonly') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'the readonly role cannot delete conversations');
    }
    return inTenant(this.scope, caller.tenantId, async (tx) => {
      if (!(await this.conversations.delete(tx, id, visibleTo(caller)))) throw notFound();
      return { id, deleted: true };
    });
  }

  /** The turns of a conversation the caller continues, newest last. */
  history(caller: Caller, id: string): Promise<ChatTurn[]> {
    return inTenant(this.scope, caller.tenantId, async (tx) => {
      if (!(await this.conversations.find(tx, id, visibleTo(caller)))) throw notFound();
      return this.conversations.recentTurns(tx, id, MAX_HISTORY_MESSAGES);
    });
  }
}

export function ownConversations(caller: Caller): OwnerFilter {
  if (caller.visitor) return caller.visitor;
  if (caller.userId) return { userId: caller.userId };
  if (caller.apiKeyId) return { apiKeyId: caller.apiKeyId };
  throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
}

function visibleTo(caller: Caller): OwnerFilter {
  return seesWholeTenant(caller) ? 'tenant' : ownConversations(caller);
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.CONVERSATION_NOT_FOUND, 'conversation not found');
}
