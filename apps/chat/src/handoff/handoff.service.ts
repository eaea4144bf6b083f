import { Injectable } from '@nestjs/common';

import {
  type AgentMessageRequest,
  type Caller,
  CONVERSATION_EVENTS,
  type ConversationMessage,
  type ConversationSummary,
  DomainError,
  ErrorCode,
  type HandoffRequest,
  type InboxListRequest,
  type InboxPage,
} from '@tenantbot/contracts';
import { type ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import { authorOf, type ExchangeConversation, titleOf } from '../chat/exchange-record';
import type { ConversationRow, OwnerFilter } from '../conversation/conversation.repository';
import { notFound, seesWholeTenant, visibleTo } from '../conversation/conversation.service';
import { toMessage, toSummary } from '../conversation/conversation-view';
import { HandoffRepository } from './handoff.repository';
import { LiveConversations } from './live-conversations';

/** What the bot says when it hands over; the user is told what to expect. */
export const HANDOFF_NOTICE = 'A person will reply here. You can keep writing in the meantime.';

export type HandoffTrigger = 'user' | 'phrase' | 'ungrounded';

/** What happened to a user's message in a conversation a person owns (or is asked to). */
export interface HumanTurn {
  conversation: ConversationSummary;
  /** The bot's notice when this message started the handoff. */
  notice?: string;
}

/**
 * The handoff: a conversation's owner asks for a person; the tenant's agents claim it, reply,
 * release it to the bot or close it. Each move is one unit of work on the locked conversation
 * (its condition on the state it leaves makes one of two simultaneous claims win), records its
 * transport event in the outbox, and is broadcast live once committed.
 */
@Injectable()
export class HandoffService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly handoffs: HandoffRepository,
    private readonly live: LiveConversations,
  ) {}

  /** The owner (or an agent) asks for a person: `waiting_human`, with the bot's notice. */
  async request(caller: Caller, request: HandoffRequest): Promise<ConversationSummary> {
    refuseReadonly(caller);
    const moved = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, request.id, visibleTo(caller));
      if (conversation.status !== 'bot') {
        return { conversation, notice: undefined };
      }
      const notice = await this.handOver(tx, conversation.id, 'user', request.reason);
      return { conversation: await this.reread(tx, conversation.id), notice };
    });
    this.announce(caller, moved.conversation, moved.notice);
    return toSummary(moved.conversation);
  }

  /**
   * A user's message that its tenant's policy reads as asking for a person, or that follows
   * two answers the bot could not ground: stored with the handoff and its notice, no model.
   */
  async handOverWith(
    caller: Caller,
    conversation: ExchangeConversation,
    question: string,
    trigger: HandoffTrigger,
  ): Promise<HumanTurn> {
    const moved = await this.database.transaction(caller.tenantId, async (tx) => {
      if (conversation.isNew) {
        await this.handoffs.create(tx, {
          id: conversation.id,
          title: titleOf(question),
          userId: caller.userId,
          apiKeyId: caller.apiKeyId,
          visitor: caller.visitor,
          channel: conversation.channel,
          assistantId: conversation.assistantId,
        });
      } else {
        await this.locked(tx, conversation.id, visibleTo(caller));
      }
      const asked = await this.handoffs.addMessage(
        tx,
        conversation.id,
        userMessage(caller, question),
      );
      const notice = await this.handOver(tx, conversation.id, trigger, null);
      return { conversation: await this.reread(tx, conversation.id), asked, notice };
    });
    this.live.message(caller.tenantId, conversation.id, toMessage(moved.asked));
    this.announce(caller, moved.conversation, moved.notice);
    return { conversation: toSummary(moved.conversation), notice: moved.notice?.content };
  }

  /**
   * After the bot's second answer in a row it could not ground (the tenant's policy): the
   * conversation waits for a person, with the notice. False when it was no longer the bot's.
   */
  async handOverAfterAnswer(caller: Caller, conversationId: string): Promise<boolean> {
    const moved = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, conversationId, visibleTo(caller));
      if (conversation.status !== 'bot') {
        return undefined;
      }
      const notice = await this.handOver(tx, conversationId, 'ungrounded', null);
      return { conversation: await this.reread(tx, conversationId), notice };
    });
    if (moved) {
      this.announce(caller, moved.conversation, moved.notice);
    }
    return moved !== undefined;
  }

  /** A user's message while a person owns the conversation (or is asked to): stored, delivered. */
  async receive(caller: Caller, conversationId: string, question: string): Promise<HumanTurn> {
    const received = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, conversationId, visibleTo(caller));
      if (conversation.status === 'closed') {
        throw closed();
      }
      const asked = await this.handoffs.addMessage(
        tx,
        conversationId,
        userMessage(caller, question),
      );
      return { conversation: await this.reread(tx, conversationId), asked };
    });
    this.live.message(caller.tenantId, conversationId, toMessage(received.asked));
    return { conversation: toSummary(received.conversation) };
  }

  async inbox(caller: Caller, request: InboxListRequest): Promise<InboxPage> {
    refuseNonAgents(caller);
    const assignedTo = request.assigned === 'me' ? agentIdOf(caller) : undefined;
    const { items, total } = await this.handoffs.inbox(caller.tenantId, request, assignedTo);
    return {
      items: items.map(({ conversation, messages }) => ({
        ...toSummary(conversation),
        handoff_requested_at: conversation.handoff_requested_at?.toISOString() ?? null,
        claimed_at: conversation.claimed_at?.toISOString() ?? null,
        messages: messages.map(toMessage),
      })),
      total,
      limit: request.limit,
      offset: request.offset,
    };
  }

  /** One agent wins: the others get ALREADY_CLAIMED (claiming one's own again is no error). */
  async claim(caller: Caller, id: string): Promise<ConversationSummary> {
    refuseNonAgents(caller);
    const agentId = agentIdOf(caller);
    const claimed = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, id, 'tenant');
      if (conversation.status === 'human' && conversation.assigned_agent_id === agentId) {
        return { conversation, changed: false };
      }
      if (!(await this.handoffs.claim(tx, id, agentId))) {
        throw conversation.status === 'closed' ? closed() : alreadyClaimed();
      }
      await this.handoffs.recordEvent(tx, CONVERSATION_EVENTS.CLAIMED, {
        tenantId: caller.tenantId,
        conversationId: id,
        agentId,
        at: new Date().toISOString(),
      });
      return { conversation: await this.reread(tx, id), changed: true };
    });
    if (claimed.changed) {
      this.live.status(caller.tenantId, toSummary(claimed.conversation));
    }
    return toSummary(claimed.conversation);
  }

  /** A reply (the assigned agent's, delivered live) or an internal note (any agent's). */
  async reply(caller: Caller, request: AgentMessageRequest): Promise<ConversationMessage> {
    refuseNonAgents(caller);
    const agentId = agentIdOf(caller);
    const message = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, request.id, 'tenant');
      if (conversation.status === 'closed') {
        throw closed();
      }
      if (!request.internal && !assignedTo(conversation, agentId)) {
        throw notAssigned('claim the conversation before replying');
      }
      return this.handoffs.addMessage(tx, request.id, {
        role: request.internal ? 'system' : 'agent',
        authorId: agentId,
        content: request.content,
        internal: request.internal,
      });
    });
    const view = toMessage(message);
    this.live.message(caller.tenantId, request.id, view);
    return view;
  }

  /** Back to the bot: by its agent, or a tenant admin; a waiting request may be declined. */
  async release(caller: Caller, id: string): Promise<ConversationSummary> {
    refuseNonAgents(caller);
    const agentId = agentIdOf(caller);
    const released = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, id, 'tenant');
      if (conversation.status === 'closed') {
        throw closed();
      }
      if (conversation.status === 'human' && !mayOverride(caller, conversation, agentId)) {
        throw notAssigned('the conversation is another agent’s');
      }
      const changed = await this.handoffs.release(tx, id);
      return { conversation: await this.reread(tx, id), changed };
    });
    if (released.changed) {
      this.live.status(caller.tenantId, toSummary(released.conversation));
    }
    return toSummary(released.conversation);
  }

  async close(caller: Caller, id: string): Promise<ConversationSummary> {
    refuseNonAgents(caller);
    const agentId = agentIdOf(caller);
    const closedNow = await this.database.transaction(caller.tenantId, async (tx) => {
      const conversation = await this.locked(tx, id, 'tenant');
      if (conversation.status === 'human' && !mayOverride(caller, conversation, agentId)) {
        throw notAssigned('the conversation is another agent’s');
      }
      if (!(await this.handoffs.close(tx, id))) {
        return { conversation, changed: false };
      }
      await this.handoffs.recordEvent(tx, CONVERSATION_EVENTS.CLOSED, {
        tenantId: caller.tenantId,
        conversationId: id,
        closedBy: agentId,
        at: new Date().toISOString(),
      });
      return { conversation: await this.reread(tx, id), changed: true };
    });
    if (closedNow.changed) {
      this.live.status(caller.tenantId, toSummary(closedNow.conversation));
    }
    return toSummary(closedNow.conversation);
  }

  /** `waiting_human`, the notice in the conversation, and the event; the notice added. */
  private async handOver(
    tx: ScopedTransaction,
    conversationId: string,
    trigger: HandoffTrigger,
    reason: string | null | undefined,
  ) {
    await this.handoffs.requestHandoff(tx, conversationId);
    const notice = await this.handoffs.addMessage(tx, conversationId, {
      role: 'system',
      authorId: null,
      content: HANDOFF_NOTICE,
    });
    await this.handoffs.recordEvent(tx, CONVERSATION_EVENTS.HANDOFF_REQUESTED, {
      tenantId: tx.tenantId,
      conversationId,
      trigger,
      reason: reason ?? null,
      at: new Date().toISOString(),
    });
    return notice;
  }

  private announce(
    caller: Caller,
    conversation: ConversationRow,
    notice: Awaited<ReturnType<HandoffRepository['addMessage']>> | undefined,
  ): void {
    if (!notice) {
      return;
    }
    this.live.message(caller.tenantId, conversation.id, toMessage(notice));
    this.live.status(caller.tenantId, toSummary(conversation));
  }

  /** The conversation, locked for this unit of work; CONVERSATION_NOT_FOUND when not seen. */
  private async locked(
    tx: ScopedTransaction,
    id: string,
    owner: OwnerFilter,
  ): Promise<ConversationRow> {
    await this.handoffs.lock(tx, id);
    const conversation = await this.handoffs.find(tx, id, owner);
    if (!conversation) {
      throw notFound();
    }
    return conversation;
  }

  private async reread(tx: ScopedTransaction, id: string): Promise<ConversationRow> {
    const conversation = await this.handoffs.find(tx, id, 'tenant');
    if (!conversation) {
      throw notFound();
    }
    return conversation;
  }
}

function userMessage(caller: Caller, content: string) {
  return { role: 'user' as const, authorId: authorOf(caller), content };
}

function assignedTo(conversation: ConversationRow, agentId: string): boolean {
  return conversation.status === 'human' && conversation.assigned_agent_id === agentId;
}

/** The assigned agent, or a tenant admin (or the super admin) over another agent's claim. */
function mayOverride(caller: Caller, conversation: ConversationRow, agentId: string): boolean {
  return conversation.assigned_agent_id === agentId || caller.role !== 'agent';
}

function agentIdOf(caller: Caller): string {
  const id = caller.userId ?? caller.apiKeyId;
  if (!id) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return id;
}

function refuseReadonly(caller: Caller): void {
  if (caller.role === 'readonly') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'the readonly role reads history only');
  }
}

function refuseNonAgents(caller: Caller): void {
  if (caller.visitor || !seesWholeTenant(caller)) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'only agents and tenant admins work the inbox');
  }
}

function closed(): DomainError {
  return new DomainError(ErrorCode.CONVERSATION_CLOSED, 'the conversation is closed');
}

function alreadyClaimed(): DomainError {
  return new DomainError(ErrorCode.ALREADY_CLAIMED, 'another agent claimed this conversation');
}

function notAssigned(message: string): DomainError {
  return new DomainError(ErrorCode.NOT_ASSIGNED, message);
}
