import { Injectable } from '@nestjs/common';

import type { ChatSource, LlmProviderName, TenantId } from '@tenantbot/contracts';
import { inTenant, sqlLiteral, TenantScope } from '@tenantbot/database';

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

export type UsageOutcome = 'ok' | 'error' | 'fallback';

/** One exchange, as the admin service aggregates it (tokens, cost, requests, errors). */
export interface UsageRecord {
  userId?: string;
  apiKeyId?: string;
  conversationId?: string;
  requestId: string;
  model: string;
  provider: LlmProviderName;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal, 6 places. */
  costUsd: string;
  latencyMs: number;
  outcome: UsageOutcome;
  errorCode?: string;
}

export interface AnsweredExchangeRows {
  /** Created with the exchange (`title` given), or continued (touched). */
  conversation: {
    id: string;
    title?: string;
    userId?: string;
    apiKeyId?: string;
    /** A widget visitor's conversation is owned by the visitor of that widget. */
    visitor?: { visitorId: string; widgetId: string };
  };
  /** The question, then the answer: stored in this order. */
  messages: [NewMessage, NewMessage];
  usage: UsageRecord;
}

/** What an exchange leaves behind: its conversation and messages, and its usage record. */
@Injectable()
export class ChatRepository {
  constructor(private readonly scope: TenantScope) {}

  /**
   * The conversation (created or touched), its two messages and the usage record, written in
   * one round trip: one statement in the tenant's scope (`TenantScope.statement`, so its values
   * are `sqlLiteral`s). One statement is one transaction: all of it is written or none.
   * False, with nothing written, when the continued conversation is gone.
   */
  async recordAnswered(tenantId: TenantId, rows: AnsweredExchangeRows): Promise<boolean> {
    const [result] = await this.scope.statement<{ written: number }>(
      tenantId,
      `WITH conversation AS (${conversationWrite(tenantId, rows)}),
            new_messages AS (${messagesInsert(tenantId, rows)}),
            new_usage AS (${usageInsert(tenantId, rows.usage)})
       SELECT count(*)::int AS written FROM conversation`,
    );
    return (result?.written ?? 0) > 0;
  }

  /** The usage record of an exchange that failed: no messages are kept. */
  recordFailed(tenantId: TenantId, record: UsageRecord): Promise<void> {
    return inTenant(this.scope, tenantId, async (tx) => {
      await tx.rows(
        `INSERT INTO usage_records (tenant_id, user_id, api_key_id, conversation_id, request_id,
                                    model, provider, input_tokens, output_tokens, cost_usd,
                                    latency_ms, outcome, error_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          tenantId,
          record.userId ?? null,
          record.apiKeyId ?? null,
          record.conversationId ?? null,
          record.requestId,
          record.model,
          record.provider,
          record.inputTokens,
          record.outputTokens,
          record.costUsd,
          record.latencyMs,
          record.outcome,
          record.errorCode ?? null,
        ],
      );
    });
  }
}

function conversationWrite(tenantId: TenantId, { conversation }: AnsweredExchangeRows): string {
  if (conversation.title === undefined) {
    return `UPDATE conversations SET updated_at = now()
             WHERE id = ${sqlLiteral(conversation.id)}::uuid RETURNING id`;
  }
  return `INSERT INTO conversations (id, tenant_id, user_id, api_key_id, visitor_id, widget_id,
                                     title)
          VALUES (${sqlLiteral(conversation.id)}::uuid, ${sqlLiteral(tenantId)}::uuid,
                  ${sqlLiteral(conversation.userId ?? null)}::uuid,
                  ${sqlLiteral(conversation.apiKeyId ?? null)}::uuid,
                  ${sqlLiteral(conversation.visitor?.visitorId ?? null)},
                  ${sqlLiteral(conversation.visitor?.widgetId ?? null)}::uuid,
                  ${sqlLiteral(conversation.title)})
          RETURNING id`;
}

/** Both messages, in order (their identity `seq` orders a conversation), if it is there. */
function messagesInsert(tenantId: TenantId, { messages }: AnsweredExchangeRows): string {
  const values = messages.map(
    (message, index) =>
      `(${index}, ${sqlLiteral(message.role)}, ${sqlLiteral(message.content)},
        ${sqlLiteral(JSON.stringify(message.sources))}::jsonb, ${sqlLiteral(message.model)},
        ${sqlLiteral(message.inputTokens)}::integer, ${sqlLiteral(message.outputTokens)}::integer,
        ${sqlLiteral(message.costUsd)}::numeric, ${sqlLiteral(message.latencyMs)}::integer)`,
  );
  return `INSERT INTO messages (tenant_id, conversation_id, role, content, sources, model,
                                input_tokens, output_tokens, cost_usd, latency_ms)
          SELECT ${sqlLiteral(tenantId)}::uuid, conversation.id, m.role, m.content, m.sources,
                 m.model, m.input_tokens, m.output_tokens, m.cost_usd, m.latency_ms
            FROM conversation,
                 (VALUES ${values.join(', ')}) AS m (n, role, content, sources, model,
                   input_tokens, output_tokens, cost_usd, latency_ms)
           ORDER BY m.n
          RETURNING 1`;
}

function usageInsert(tenantId: TenantId, record: UsageRecord): string {
  return `INSERT INTO usage_records (tenant_id, user_id, api_key_id, conversation_id, request_id,
                                     model, provider, input_tokens, output_tokens, cost_usd,
                                     latency_ms, outcome, error_code)
          SELECT ${sqlLiteral(tenantId)}::uuid, ${sqlLiteral(record.userId ?? null)}::uuid,
                 ${sqlLiteral(record.apiKeyId ?? null)}::uuid, conversation.id,
                 ${sqlLiteral(record.requestId)}, ${sqlLiteral(record.model)},
                 ${sqlLiteral(record.provider)}, ${sqlLiteral(record.inputTokens)}::integer,
                 ${sqlLiteral(record.outputTokens)}::integer,
                 ${sqlLiteral(record.costUsd)}::numeric, ${sqlLiteral(record.latencyMs)}::integer,
                 ${sqlLiteral(record.outcome)}, ${sqlLiteral(record.errorCode ?? null)}
            FROM conversation
          RETURNING 1`;
}
