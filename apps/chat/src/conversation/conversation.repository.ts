import { Injectable } from '@nestjs/common';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';

import {
  type ChatSource,
  chatSourceSchema,
  type ChatTurn,
  CONVERSATION_CHANNELS,
  CONVERSATION_STATUSES,
  type ConversationChannel,
  type ConversationStatus,
  DomainError,
  ErrorCode,
  MESSAGE_ROLES,
  type MessageRole,
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
  | 'id'
  | 'user_id'
  | 'api_key_id'
  | 'assigned_agent_id'
  | 'title'
  | 'handoff_requested_at'
  | 'claimed_at'
  | 'created_at'
  | 'updated_at'
> & { message_count: number; status: ConversationStatus; channel: ConversationChannel };

export type MessageRow = Pick<
  Row<'messages'>,
  | 'id'
  | 'author_id'
  | 'internal'
  | 'content'
  | 'model'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
  | 'latency_ms'
  | 'created_at'
> & { role: MessageRole; sources: ChatSource[] };

/** Which messages a reader sees: agents' internal notes only when it is an agent. */
export interface MessageFilter {
  withInternal: boolean;
}

/** What an exchange needs of the conversation it continues. */
export interface ConversationState {
  status: ConversationStatus;
  /** The model's turns: agents' replies count as the assistant's, notices are left out. */
  turns: ChatTurn[];
  /** Whether the bot's last answer cited the tenant's documents (none yet: true). */
  lastAnswerGrounded: boolean;
}

/** Whose conversations a query sees: one owner's, or (admins, agents) the whole tenant's. */
export type OwnerFilter =
  { userId: string } | { apiKeyId: string } | { visitorId: string; widgetId: string } | 'tenant';

export const MESSAGE_COLUMNS = [
  'id',
  'role',
  'author_id',
  'internal',
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
    filter: MessageFilter,
  ): Promise<{ conversation: ConversationRow; messages: MessageRow[] } | undefined> {
    return this.query(tenant, async (db) => {
      const conversation = await findVisible(db, id, owner);
      if (!conversation) {
        return undefined;
      }
      let query = db
        .selectFrom('messages')
        .select(MESSAGE_COLUMNS)
        .where('conversation_id', '=', id);
      if (!filter.withInternal) {
        query = query.where('internal', '=', false);
      }
      const messages = await query.orderBy('seq').execute();
      return { conversation, messages: messages.map(toMessageRow) };
    });
  }

  /**
   * The conversation's state and its newest turns for the model, oldest first; undefined when
   * the owner sees no such conversation.
   */
  state(
    tenant: InTenant,
    id: string,
    owner: OwnerFilter,
    limit: number,
  ): Promise<ConversationState | undefined> {
    return this.query(tenant, async (db) => {
      const conversation = await findVisible(db, id, owner);
      if (!conversation) {
        return undefined;
      }
      const newestFirst = await db
        .selectFrom('messages')
        .select(['role', 'content', 'sources'])
        .where('conversation_id', '=', id)
        .where('role', '<>', 'system')
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      const lastAnswer = newestFirst.find((turn) => turn.role === 'assistant');
      return {
        status: conversation.status,
        turns: newestFirst.reverse().map((turn) => ({
          role: messageRole(turn.role) === 'user' ? 'user' : 'assistant',
          content: turn.content,
        })),
        lastAnswerGrounded:
          !lastAnswer || (Array.isArray(lastAnswer.sources) && lastAnswer.sources.length > 0),
      };
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

export function selectConversations(db: Queries) {
  return db.selectFrom('conversations').select((eb) => [
    'conversations.id',
    'conversations.user_id',
    'conversations.api_key_id',
    'conversations.assigned_agent_id',
    'conversations.status',
    'conversations.channel',
    'conversations.handoff_requested_at',
    'conversations.claimed_at',
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
export function ownedBy(
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

export function toConversationRow<
  Counted extends {
    message_count: string | number | bigint | null;
    status: string;
    channel: string;
  },
>(
  row: Counted,
): Omit<Counted, 'message_count' | 'status' | 'channel'> & {
  message_count: number;
  status: ConversationStatus;
  channel: ConversationChannel;
} {
  return {
    ...row,
    message_count: Number(row.message_count ?? 0),
    status: oneOf(CONVERSATION_STATUSES, row.status, 'status'),
    channel: oneOf(CONVERSATION_CHANNELS, row.channel, 'channel'),
  };
}

export function toMessageRow(
  row: Pick<Row<'messages'>, (typeof MESSAGE_COLUMNS)[number]>,
): MessageRow {
  return {
    ...row,
    role: messageRole(row.role),
    // jsonb written by this service from ChatSource[]; checked rather than trusted.
    sources: chatSourceSchema.array().parse(row.sources),
  };
}

function messageRole(role: string): MessageRole {
  return oneOf(MESSAGE_ROLES, role, 'role');
}

/** The tables' CHECKs allow these values only. */
export function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found) {
    return found;
  }
  throw new DomainError(ErrorCode.INTERNAL_ERROR, `a row has the unknown ${what} "${value}"`);
}
