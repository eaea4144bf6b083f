import { Injectable } from '@nestjs/common';

import type { ChatSource, ChatTurn, Pagination, TenantId } from '@tenantbot/contracts';
import { inTenant, TenantScope, type TenantTransaction } from '@tenantbot/database';

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

/** Whose conversations a query sees: one owner's, or (admins, agents) the whole tenant's. */
export type OwnerFilter =
  { userId: string } | { apiKeyId: string } | { visitorId: string; widgetId: string } | 'tenant';

const SELECT_CONVERSATION = `
  SELECT c.id, c.user_id, c.api_key_id, c.title, c.created_at, c.updated_at,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)::int AS message_count
    FROM conversations c`;

/**
 * Conversations and their messages, in their tenant's scope: each method is one transaction
 * with `app.tenant_id` set, so row-level security confines it to that tenant.
 */
@Injectable()
export class ConversationRepository {
  constructor(private readonly scope: TenantScope) {}

  list(
    tenantId: TenantId,
    owner: OwnerFilter,
    page: Pagination,
  ): Promise<{ items: ConversationRow[]; total: number }> {
    const [where, parameters] = ownerClause(owner, 3);
    return inTenant(this.scope, tenantId, async (tx) => {
      const items = await tx.rows<ConversationRow>(
        `${SELECT_CONVERSATION} WHERE ${where} ORDER BY c.updated_at DESC, c.id LIMIT $1 OFFSET $2`,
        [page.limit, page.offset, ...parameters],
      );
      const counted = await tx.one<{ total: number }>(
        `SELECT count(*)::int AS total FROM conversations c WHERE ${ownerClause(owner, 1)[0]}`,
        parameters,
      );
      return { items, total: counted?.total ?? 0 };
    });
  }

  /** The conversation with its messages, oldest first; undefined when the owner sees none. */
  findWithMessages(
    tenantId: TenantId,
    id: string,
    owner: OwnerFilter,
  ): Promise<{ conversation: ConversationRow; messages: MessageRow[] } | undefined> {
    return inTenant(this.scope, tenantId, async (tx) => {
      const conversation = await find(tx, id, owner);
      if (!conversation) {
        return undefined;
      }
      const messages = await tx.rows<MessageRow>(
        `SELECT id, role, content, sources, model, input_tokens, output_tokens, cost_usd,
                latency_ms, created_at
           FROM messages WHERE conversation_id = $1 ORDER BY seq`,
        [id],
      );
      return { conversation, messages };
    });
  }

  /** The newest turns, oldest first; undefined when the owner sees no such conversation. */
  recentTurns(
    tenantId: TenantId,
    id: string,
    owner: OwnerFilter,
    limit: number,
  ): Promise<ChatTurn[] | undefined> {
    return inTenant(this.scope, tenantId, async (tx) => {
      if (!(await find(tx, id, owner))) {
        return undefined;
      }
      return tx.rows<ChatTurn>(
        `SELECT role, content FROM (
           SELECT seq, role, content FROM messages WHERE conversation_id = $1
            ORDER BY seq DESC LIMIT $2
         ) recent ORDER BY seq`,
        [id, limit],
      );
    });
  }

  /** Deletes the conversation and (by foreign key) its messages; false when none was visible. */
  delete(tenantId: TenantId, id: string, owner: OwnerFilter): Promise<boolean> {
    const [where, parameters] = ownerClause(owner, 2);
    return inTenant(this.scope, tenantId, async (tx) => {
      const rows = await tx.rows(
        `DELETE FROM conversations c WHERE c.id = $1 AND ${where} RETURNING c.id`,
        [id, ...parameters],
      );
      return rows.length > 0;
    });
  }
}

function find(
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

/** The SQL condition of an owner filter, its parameters numbered from `first`. */
function ownerClause(owner: OwnerFilter, first: number): [string, string[]] {
  if (owner === 'tenant') {
    return ['TRUE', []];
  }
  if ('userId' in owner) {
    return [`c.user_id = $${first}`, [owner.userId]];
  }
  if ('visitorId' in owner) {
    return [
      `c.visitor_id = $${first} AND c.widget_id = $${first + 1}`,
      [owner.visitorId, owner.widgetId],
    ];
  }
  return [`c.api_key_id = $${first}`, [owner.apiKeyId]];
}
