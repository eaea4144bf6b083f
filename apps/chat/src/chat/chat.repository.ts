import { Injectable } from '@nestjs/common';
import { type RawBuilder, sql } from 'kysely';

import type { ChatSource, LlmProviderName, TenantId } from '@tenantbot/contracts';
import { TenantScopedRepository } from '@tenantbot/database';

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
    assistantId?: string;
  };
  /** The question, then the answer: stored in this order. */
  messages: [NewMessage, NewMessage];
  usage: UsageRecord;
}

/** What an exchange leaves behind: its conversation and messages, and its usage record. */
@Injectable()
export class ChatRepository extends TenantScopedRepository {
  /**
   * The conversation (created or touched), its two messages and the usage record, written in
   * one round trip: one statement in the tenant's scope (`statement`, its values inlined as
   * literals). One statement is one transaction: all of it is written or none.
   * False, with nothing written, when the continued conversation is gone.
   */
  async recordAnswered(tenantId: TenantId, rows: AnsweredExchangeRows): Promise<boolean> {
    const [result] = await this.statement(
      tenantId,
      () => sql<{ written: number }>`
        WITH conversation AS (${conversationWrite(tenantId, rows)}),
             new_messages AS (${messagesInsert(tenantId, rows)}),
             new_usage AS (${usageInsert(tenantId, rows.usage)})
        SELECT count(*)::int AS written FROM conversation`,
    );
    return (result?.written ?? 0) > 0;
  }

  /** The usage record of an exchange that failed: no messages are kept. */
  async recordFailed(tenantId: TenantId, record: UsageRecord): Promise<void> {
    await this.query(tenantId, (db) =>
      db
        .insertInto('usage_records')
        .values({
          tenant_id: tenantId,
          user_id: record.userId ?? null,
          api_key_id: record.apiKeyId ?? null,
          conversation_id: record.conversationId ?? null,
          request_id: record.requestId,
          model: record.model,
          provider: record.provider,
          input_tokens: record.inputTokens,
          output_tokens: record.outputTokens,
          cost_usd: record.costUsd,
          latency_ms: record.latencyMs,
          outcome: record.outcome,
          error_code: record.errorCode ?? null,
        })
        .execute(),
    );
  }
}

function conversationWrite(
  tenantId: TenantId,
  { conversation }: AnsweredExchangeRows,
): RawBuilder<unknown> {
  if (conversation.title === undefined) {
    return sql`UPDATE conversations SET updated_at = now()
                WHERE id = ${conversation.id}::uuid RETURNING id`;
  }
  return sql`INSERT INTO conversations (id, tenant_id, user_id, api_key_id, visitor_id, widget_id,
                                        title, assistant_id)
             VALUES (${conversation.id}::uuid, ${tenantId}::uuid,
                     ${conversation.userId ?? null}::uuid, ${conversation.apiKeyId ?? null}::uuid,
                     ${conversation.visitor?.visitorId ?? null},
                     ${conversation.visitor?.widgetId ?? null}::uuid, ${conversation.title},
                     ${conversation.assistantId ?? null}::uuid)
             RETURNING id`;
}

/** Both messages, in order (their identity `seq` orders a conversation), if it is there. */
function messagesInsert(
  tenantId: TenantId,
  { messages }: AnsweredExchangeRows,
): RawBuilder<unknown> {
  const values = messages.map(
    (message, index) =>
      sql`(${index}, ${message.role}, ${message.content}, ${JSON.stringify(message.sources)}::jsonb,
           ${message.model}, ${message.inputTokens}::integer, ${message.outputTokens}::integer,
           ${message.costUsd}::numeric, ${message.latencyMs}::integer)`,
  );
  return sql`INSERT INTO messages (tenant_id, conversation_id, role, content, sources, model,
                                   input_tokens, output_tokens, cost_usd, latency_ms)
             SELECT ${tenantId}::uuid, conversation.id, m.role, m.content, m.sources, m.model,
                    m.input_tokens, m.output_tokens, m.cost_usd, m.latency_ms
               FROM conversation,
                    (VALUES ${sql.join(values)}) AS m (n, role, content, sources, model,
                      input_tokens, output_tokens, cost_usd, latency_ms)
              ORDER BY m.n
             RETURNING 1`;
}

function usageInsert(tenantId: TenantId, record: UsageRecord): RawBuilder<unknown> {
  return sql`INSERT INTO usage_records (tenant_id, user_id, api_key_id, conversation_id,
                                        request_id, model, provider, input_tokens, output_tokens,
                                        cost_usd, latency_ms, outcome, error_code)
             SELECT ${tenantId}::uuid, ${record.userId ?? null}::uuid,
                    ${record.apiKeyId ?? null}::uuid, conversation.id, ${record.requestId},
                    ${record.model}, ${record.provider}, ${record.inputTokens}::integer,
                    ${record.outputTokens}::integer, ${record.costUsd}::numeric,
                    ${record.latencyMs}::integer, ${record.outcome}, ${record.errorCode ?? null}
               FROM conversation
             RETURNING 1`;
}
