import { Injectable } from '@nestjs/common';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';

import {
  type ChatSource,
  chatSourceSchema,
  type ChatTurn,
  DomainError,
  ErrorCode,
  type Pagination,
} from '@tenantbot/contracts';
import {
  type InTenant,
  type Queries,
  type Row,
  type Schema,
  TenantScopedRepository,
} from '@tenantbot/database';

export type ConversationRow = Pick<
  Row<'conversations'>,
  'id' | 'user_id' | 'api_key_id' | 'title' | 'created_at' | 'updated_at'
> & { message_count: number };

export type MessageRow = Pick<
  Row<'messages'>,
  | 'id'
  | 'content'
  | 'model'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
  | 'latency_ms'
  | 'created_at'
> & { role: ChatTurn['role']; sources: ChatSource[] };

/** Whose conversations a query sees: one owner's, or (admins, agents) the whole tenant's. */
export type OwnerFilter =
  { userId: string } | { apiKeyId: string } | { visitorId: string; widgetId: string } | 'tenant';

const MESSAGE_COLUMNS = [
  'id',
  'role',
  'content',
  'sources',
  'model',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'latency_ms',
  'created_at',
] as const;

/**
 * Conversations and their messages. Each method takes its tenant (a transaction of its own) and
 * row-level security confines it to that tenant, whatever its owner filter says.
 */
@Injectable()
export class ConversationRepository extends TenantScopedRepository {
  list(
    tenant: InTenant,
    owner: OwnerFilter,
    page: Pagination,
  ): Promise<{ items: ConversationRow[]; total: number }> {
    return this.query(tenant, async (db) => {
      const rows = await selectConversations(db)
        .where((eb) => ownedBy(eb, owner))
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const counted = await db
        .selectFrom('conversations')
        .where((eb) => ownedBy(eb, owner))
        .select((eb) => eb.fn.countAll().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toConversationRow), total: Number(counted.total) };
    });
  }

  /** The conversation with its messages, oldest first; undefined when the owner sees none. */
  findWithMessages(
    tenant: InTenant,
    id: string,
    owner: OwnerFilter,
  ): Promise<{ conversation: ConversationRow; messages: MessageRow[] } | undefined> {
    return this.query(tenant, async (db) => {
      const conversation = await findVisible(db, id, owner);
      if (!conversation) {
        return undefined;
      }
      const messages = await db
        .selectFrom('messages')
        .select(MESSAGE_COLUMNS)
        .where('conversation_id', '=', id)
        .orderBy('seq')
        .execute();
      return { conversation, messages: messages.map(toMessageRow) };
    });
  }

  /** The newest turns, oldest first; undefined when the owner sees no such conversation. */
  recentTurns(
    tenant: InTenant,
    id: string,
    owner: OwnerFilter,
    limit: number,
  ): Promise<ChatTurn[] | undefined> {
    return this.query(tenant, async (db) => {
      if (!(await findVisible(db, id, owner))) {
        return undefined;
      }
      const newestFirst = await db
        .selectFrom('messages')
        .select(['role', 'content'])
        .where('conversation_id', '=', id)
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return newestFirst.reverse().map((turn) => ({ ...turn, role: messageRole(turn.role) }));
    });
  }

  /** Deletes the conversation and (by foreign key) its messages; false when none was visible. */
  delete(tenant: InTenant, id: string, owner: OwnerFilter): Promise<boolean> {
    return this.query(tenant, async (db) => {
      const deleted = await db
        .deleteFrom('conversations')
        .where('id', '=', id)
        .where((eb) => ownedBy(eb, owner))
        .returning('id')
        .execute();
      return deleted.length > 0;
    });
  }
}

function selectConversations(db: Queries) {
  return db.selectFrom('conversations').select((eb) => [
    'conversations.id',
    'conversations.user_id',
    'conversations.api_key_id',
    'conversations.title',
    'conversations.created_at',
    'conversations.updated_at',
    eb
      .selectFrom('messages')
      .whereRef('messages.conversation_id', '=', 'conversations.id')
      .select((count) => count.fn.countAll().as('count'))
      .as('message_count'),
  ]);
}

async function findVisible(
  db: Queries,
  id: string,
  owner: OwnerFilter,
): Promise<ConversationRow | undefined> {
  const row = await selectConversations(db)
    .where('conversations.id', '=', id)
    .where((eb) => ownedBy(eb, owner))
    .executeTakeFirst();
  return row && toConversationRow(row);
}

/** The condition of an owner filter; the whole tenant's is no condition at all. */
function ownedBy(
  eb: ExpressionBuilder<Schema, 'conversations'>,
  owner: OwnerFilter,
): Expression<SqlBool> {
  if (owner === 'tenant') {
    return eb.lit(true);
  }
  if ('userId' in owner) {
    return eb('conversations.user_id', '=', owner.userId);
  }
  if ('visitorId' in owner) {
    return eb.and([
      eb('conversations.visitor_id', '=', owner.visitorId),
      eb('conversations.widget_id', '=', owner.widgetId),
    ]);
  }
  return eb('conversations.api_key_id', '=', owner.apiKeyId);
}

function toConversationRow<Counted extends { message_count: string | number | bigint | null }>(
  row: Counted,
): Omit<Counted, 'message_count'> & { message_count: number } {
  return { ...row, message_count: Number(row.message_count ?? 0) };
}

function toMessageRow(row: Pick<Row<'messages'>, (typeof MESSAGE_COLUMNS)[number]>): MessageRow {
  return {
    ...row,
    role: messageRole(row.role),
    // jsonb written by this service from ChatSource[]; checked rather than trusted.
    sources: chatSourceSchema.array().parse(row.sources),
  };
}

/** The table's CHECK allows these two only. */
function messageRole(role: string): ChatTurn['role'] {
  if (role === 'user' || role === 'assistant') {
    return role;
  }
  throw new DomainError(ErrorCode.INTERNAL_ERROR, `a message has the unknown role "${role}"`);
}
