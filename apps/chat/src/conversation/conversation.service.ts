import { Injectable } from '@nestjs/common';

import {
  type Caller,
  type ChatTurn,
  type ConversationDetail,
  type ConversationListRequest,
  type ConversationPage,
  type DeleteConversationReply,
  DomainError,
  ErrorCode,
  MAX_HISTORY_MESSAGES,
} from '@tenantbot/contracts';

import {
  ConversationRepository,
  type ConversationState,
  type OwnerFilter,
} from './conversation.repository';
import { toMessage, toSummary } from './conversation-view';

/** Roles that see and continue every conversation of their tenant (handoffs, support). */
const TENANT_WIDE_ROLES: readonly string[] = ['super_admin', 'tenant_admin', 'agent'];

/**
 * Conversations as their callers may see them: everyone their own; tenant admins, agents
 * (and the super admin) every conversation of the tenant. A conversation the caller may not
 * see does not exist for it (CONVERSATION_NOT_FOUND), in another tenant or not.
 */
@Injectable()
export class ConversationService {
  constructor(private readonly conversations: ConversationRepository) {}

  async list(caller: Caller, request: ConversationListRequest): Promise<ConversationPage> {
    if (request.scope === 'tenant' && !seesWholeTenant(caller)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        'only tenant admins and agents may list the whole tenant',
      );
    }
    const owner = request.scope === 'tenant' ? 'tenant' : ownConversations(caller);
    const page = { limit: request.limit, offset: request.offset };
    const { items, total } = await this.conversations.list(caller.tenantId, owner, page);
    return { items: items.map(toSummary), total, ...page };
  }

  async get(caller: Caller, id: string): Promise<ConversationDetail> {
    const found = await this.conversations.findWithMessages(
      caller.tenantId,
      id,
      visibleTo(caller),
      {
        withInternal: seesWholeTenant(caller),
      },
    );
    if (!found) {
      throw notFound();
    }
    return { ...toSummary(found.conversation), messages: found.messages.map(toMessage) };
  }

  async delete(caller: Caller, id: string): Promise<DeleteConversationReply> {
    if (caller.role === 'readonly') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'the readonly role cannot delete conversations');
    }
    const deleted = await this.conversations.delete(caller.tenantId, id, visibleTo(caller));
    if (!deleted) {
      throw notFound();
    }
    return { id, deleted: true };
  }

  /** The turns of a conversation the caller continues, newest last. */
  async history(caller: Caller, id: string): Promise<ChatTurn[]> {
    return (await this.state(caller, id)).turns;
  }

  /** The state of a conversation the caller continues, and its turns, newest last. */
  async state(caller: Caller, id: string): Promise<ConversationState> {
    const state = await this.conversations.state(
      caller.tenantId,
      id,
      visibleTo(caller),
      MAX_HISTORY_MESSAGES,
    );
    if (!state) {
      throw notFound();
    }
    return state;
  }
}

/** Tenant admins and agents (and the super admin) see every conversation, notes included. */
export function seesWholeTenant(caller: Caller): boolean {
  return TENANT_WIDE_ROLES.includes(caller.role);
}

export function ownConversations(caller: Caller): OwnerFilter {
  if (caller.visitor) {
    return caller.visitor;
  }
  if (caller.userId) {
    return { userId: caller.userId };
  }
  if (caller.apiKeyId) {
    return { apiKeyId: caller.apiKeyId };
  }
  throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
}

export function visibleTo(caller: Caller): OwnerFilter {
  return seesWholeTenant(caller) ? 'tenant' : ownConversations(caller);
}

export function notFound(): DomainError {
  return new DomainError(ErrorCode.CONVERSATION_NOT_FOUND, 'conversation not found');
}
