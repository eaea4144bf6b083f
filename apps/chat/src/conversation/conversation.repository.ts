import { Injectable } from '@nestjs/common';
import type { ChatSource, ChatTurn, Pagination } from '@tenantbot/contracts';
import { tenantCondition, type TenantTransaction } from '@tenantbot/database';
import type { ReportScope } from '@tenantbot/tenant-context';

export interface ConversationRow {
  id: string;
  user_id: string | null;
  api_key_id: string | null;
  title: string;
  message_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface MessageRow {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  sources: ChatSource[];
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  /** numeric(12,6) arrives as its exact decimal text. */
  cost_usd: string | null;
  latency_ms: number | null;
  created_at: Date;
}

export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  sources: ChatSource[];
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null;
  latencyMs: number | null;
}

/** Whose conversations a query sees: one owner's, or (admins, agents) the whole tenant's. */
export type OwnerFilter =
  { userId: string } | { apiKeyId: string } | { visitorId: string; widgetId: string } | 'tenant';

const SELECT_CONVERSATION = `
  SELECT c.id, c.user_id, c.api_key_id, c.title, c.created_at, c.updated_at,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)::int AS message_count
    FROM conversations c`;

/** Conversations and their messages. Row-level security confines every query to one tenant. */
@Injectable()
export class ConversationRepository {
  async list(
    tx: TenantTransaction,
    owner: OwnerFilter,
    page: Pagination,
  ): Promise<{ items: ConversationRow[]; total: number }> {
    const [where, parameters] = ownerClause(owner, 3);
    const items = await tx.rows<ConversationRow>(
      `${SELECT_CONVERSATION} WHERE ${where} ORDER BY c.updated_at DESC, c.id LIMIT $1 OFFSET $2`,
      [page.limit, page.offset, ...parameters],
    );
    const counted = await tx.one<{ total: number }>(
      `SELECT count(*)::int AS total FROM conversations c WHERE ${ownerClause(owner, 1)[0]}`,
      parameters,
    );
    return { items, total: counted?.total ?? 0 };
  }

  find(
    tx: TenantTransaction,
    id: string,
    owner: OwnerFilter,
  ): Promise<ConversationRow | undefined> {
    const [where, parameters] = ownerClause(owner, 2);
    return tx.one<ConversationRow>(`${SELECT_CONVERSATION} WHERE c.id = $1 AND ${where}`, [
      id,
      ...parameters,
    ]);
  }

  messages(tx: TenantTransaction, conversationId: string): Promise<MessageRow[]> {
    return tx.rows<MessageRow>(
      `SELECT id, role, content, sources, model, input_tokens, output_tokens, cost_usd, latency_ms,
              created_at
         FROM messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
  }

  /** The newest turns, oldest first. */
  recentTurns(tx: TenantTransaction, conversationId: string, limit: number): Promise<ChatTurn[]> {
    return tx.rows<ChatTurn>(
      `SELECT role, content FROM (
         SELECT seq, role, content FROM messages WHERE conversation_id = $1
          ORDER BY seq DESC LIMIT $2
       ) recent ORDER BY seq`,
      [conversationId, limit],
    );
  }

  /** Deletes the conversation and (by foreign key) its messages; false when none was visible. */
  async delete(tx: TenantTransaction, id: string, owner: OwnerFilter): Promise<boolean> {
    const [where, parameters] = ownerClause(owner, 2);
    const rows = await tx.rows(
      `DELETE FROM conversations c WHERE c.id = $1 AND ${where} RETURNING c.id`,
      [id, ...parameters],
    );
    return rows.length > 0;
  }

  /** How many conversations and messages the report's tenant (or the platform) holds. */
  async count(
    tx: TenantTransaction,
    report: ReportScope,
  ): Promise<{ conversations: number; messages: number }> {
    const tenant = tenantCondition(report, 1);
    const counted = await tx.one<{ conversations: string; messages: string }>(
      `SELECT (SELECT count(*) FROM conversations WHERE ${tenant.sql})::text AS conversations,
              (SELECT count(*) FROM messages WHERE ${tenant.sql})::text AS messages`,
      tenant.parameters,
    );
    return {
      conversations: Number(counted?.conversations ?? 0),
      messages: Number(counted?.messages ?? 0),
    };
  }
}

/** The SQL condition of an owner filter, its parameters numbered from `first`. */
function ownerClause(owner: OwnerFilter, first: number): [string, string[]] {
  if (owner === 'tenant') return ['TRUE', []];
  if ('userId' in owner) return [`c.user_id = $${first}`, [owner.userId]];
  if ('visitorId' in owner) {
    return [
      `c.visitor_id = $${first} AND c.widget_id = $${first + 1}`,
      [owner.visitorId, owner.widgetId],
    ];
  }
  return [`c.api_key_id = $${first}`, [owner.apiKeyId]];
}
