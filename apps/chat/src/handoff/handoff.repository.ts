import { Injectable } from '@nestjs/common';

import type {
  ConversationChannel,
  ConversationStatus,
  InboxListRequest,
} from '@tenantbot/contracts';
import {
  type InTenant,
  type Queries,
  type ScopedTransaction,
  TenantScopedRepository,
} from '@tenantbot/database';

import {
  type ConversationRow,
  MESSAGE_COLUMNS,
  type MessageRow,
  ownedBy,
  type OwnerFilter,
  selectConversations,
  toConversationRow,
  toMessageRow,
} from '../conversation/conversation.repository';

/** A message a person (or the handoff itself) adds: no model, no tokens, no sources. */
export interface PersonMessage {
  role: 'user' | 'agent' | 'system';
  authorId: string | null;
  content: string;
  internal?: boolean;
}

export interface NewConversation {
  id: string;
  title: string;
  userId?: string;
  apiKeyId?: string;
  visitor?: { visitorId: string; widgetId: string };
  channel: ConversationChannel;
  /** The assistant it started with: it answers the conversation again after a release. */
  assistantId: string;
}

/** Where a conversation may go from, for each move of the handoff. */
const MOVABLE_FROM = {
  request: ['bot'],
  claim: ['bot', 'waiting_human'],
  release: ['waiting_human', 'human'],
  close: ['bot', 'waiting_human', 'human'],
} as const satisfies Record<string, readonly ConversationStatus[]>;

/** The open handoffs of the inbox when no status is asked for. */
const OPEN_HANDOFFS: ConversationStatus[] = ['waiting_human', 'human'];

/**
 * The handoff's reads and writes: conversation states moved with a condition on the state
 * they leave (so two agents claiming at once cannot both win), the messages people add, and
 * the events the moves announce (the outbox, published after commit).
 */
@Injectable()
export class HandoffRepository extends TenantScopedRepository {
  find(tenant: InTenant, id: string, owner: OwnerFilter): Promise<ConversationRow | undefined> {
    return this.query(tenant, async (db) => {
      const row = await selectConversations(db)
        .where('conversations.id', '=', id)
        .where((eb) => ownedBy(eb, owner))
        .executeTakeFirst();
      return row && toConversationRow(row);
    });
  }

  /** Locks the conversation's row for the unit of work (moves of one conversation queue). */
  async lock(tx: ScopedTransaction, id: string): Promise<void> {
    await this.query(tx, (db) =>
      db.selectFrom('conversations').select('id').where('id', '=', id).forUpdate().execute(),
    );
  }

  async create(tx: ScopedTransaction, conversation: NewConversation): Promise<void> {
    await this.query(tx, (db) =>
      db
        .insertInto('conversations')
        .values({
          id: conversation.id,
          tenant_id: tx.tenantId,
          title: conversation.title,
          user_id: conversation.userId ?? null,
          api_key_id: conversation.apiKeyId ?? null,
          visitor_id: conversation.visitor?.visitorId ?? null,
          widget_id: conversation.visitor?.widgetId ?? null,
          channel: conversation.channel,
          assistant_id: conversation.assistantId,
        })
        .execute(),
    );
  }

  addMessage(tx: ScopedTransaction, conversationId: string, message: PersonMessage) {
    return this.query(tx, async (db) => {
      const row = await db
        .insertInto('messages')
        .values({
          tenant_id: tx.tenantId,
          conversation_id: conversationId,
          role: message.role,
          author_id: message.authorId,
          content: message.content,
          internal: message.internal ?? false,
        })
        .returning(MESSAGE_COLUMNS)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('conversations')
        .set({ updated_at: new Date() })
        .where('id', '=', conversationId)
        .execute();
      return toMessageRow(row);
    });
  }

  /** `waiting_human`, from `bot` only; false when it was not the bot's. */
  requestHandoff(tx: ScopedTransaction, id: string): Promise<boolean> {
    return this.move(tx, id, MOVABLE_FROM.request, {
      status: 'waiting_human',
      assigned_agent_id: null,
      handoff_requested_at: new Date(),
      claimed_at: null,
    });
  }

  /** `human` with `agentId`, from `bot` or `waiting_human` only: one claim wins. */
  claim(tx: ScopedTransaction, id: string, agentId: string): Promise<boolean> {
    return this.move(tx, id, MOVABLE_FROM.claim, {
      status: 'human',
      assigned_agent_id: agentId,
      claimed_at: new Date(),
    });
  }

  release(tx: ScopedTransaction, id: string): Promise<boolean> {
    return this.move(tx, id, MOVABLE_FROM.release, { status: 'bot', assigned_agent_id: null });
  }

  close(tx: ScopedTransaction, id: string): Promise<boolean> {
    return this.move(tx, id, MOVABLE_FROM.close, { status: 'closed', closed_at: new Date() });
  }

  /** The tenant's inbox page, oldest request first, each conversation with its messages. */
  inbox(
    tenant: InTenant,
    request: InboxListRequest,
    agentId: string | undefined,
  ): Promise<{
    items: { conversation: ConversationRow; messages: MessageRow[] }[];
    total: number;
  }> {
    return this.query(tenant, async (db) => {
      const statuses = request.status ? [request.status] : OPEN_HANDOFFS;
      const rows = await selectConversations(db)
        .where('conversations.status', 'in', statuses)
        .$if(agentId !== undefined, (query) =>
          query.where('conversations.assigned_agent_id', '=', agentId ?? null),
        )
        .orderBy('conversations.handoff_requested_at', (order) => order.asc().nullsLast())
        .orderBy('conversations.id')
        .limit(request.limit)
        .offset(request.offset)
        .execute();
      const counted = await db
        .selectFrom('conversations')
        .where('status', 'in', statuses)
        .$if(agentId !== undefined, (query) =>
          query.where('assigned_agent_id', '=', agentId ?? null),
        )
        .select((eb) => eb.fn.countAll().as('total'))
        .executeTakeFirstOrThrow();
      const messages = await messagesOf(
        db,
        rows.map((row) => row.id),
      );
      return {
        items: rows.map((row) => ({
          conversation: toConversationRow(row),
          messages: messages.filter((message) => message.conversation_id === row.id),
        })),
        total: Number(counted.total),
      };
    });
  }

  /** An event of the move, published by the outbox relay once the unit of work committed. */
  async recordEvent(tx: ScopedTransaction, pattern: string, payload: object): Promise<void> {
    await this.query(tx, (db) =>
      db
        .insertInto('event_outbox')
        .values({ pattern, payload: JSON.stringify(payload) })
        .execute(),
    );
  }

  private move(
    tx: ScopedTransaction,
    id: string,
    from: readonly ConversationStatus[],
    changes: {
      status: ConversationStatus;
      assigned_agent_id?: string | null;
      handoff_requested_at?: Date;
      claimed_at?: Date | null;
      closed_at?: Date;
    },
  ): Promise<boolean> {
    return this.query(tx, async (db) => {
      const moved = await db
        .updateTable('conversations')
        .set({ ...changes, updated_at: new Date() })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .returning('id')
        .execute();
      return moved.length > 0;
    });
  }
}

async function messagesOf(db: Queries, conversationIds: string[]) {
  if (conversationIds.length === 0) {
    return [];
  }
  const rows = await db
    .selectFrom('messages')
    .select([...MESSAGE_COLUMNS, 'conversation_id'])
    .where('conversation_id', 'in', conversationIds)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ ...toMessageRow(row), conversation_id: row.conversation_id }));
}
