import { Inject, Injectable } from '@nestjs/common';
import { sqlLiteral, TenantScope } from '@tenantbot/database';
import type { NewMessage } from '../conversation/conversation.repository';
import type { UsageRecord } from '../usage/usage.repository';

export interface AnsweredExchangeRows {
  tenantId: string;
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

/**
 * What an answered exchange leaves behind, written in one round trip: the conversation
 * (created or touched), its two messages and the usage record, as one statement in the
 * tenant's scope (`TenantScope.statement`, so its values are `sqlLiteral`s). One statement is
 * one transaction: all of it is written or none.
 */
@Injectable()
export class ExchangeRepository {
  constructor(@Inject(TenantScope) private readonly scope: TenantScope) {}

  /** False, with nothing written, when the continued conversation is gone. */
  async recordAnswered(rows: AnsweredExchangeRows): Promise<boolean> {
    const [result] = await this.scope.statement<{ written: number }>(
      rows.tenantId,
      `WITH conversation AS (${conversationWrite(rows)}),
            new_messages AS (${messagesInsert(rows)}),
            new_usage AS (${usageInsert(rows.usage)})
       SELECT count(*)::int AS written FROM conversation`,
    );
    return (result?.written ?? 0) > 0;
  }
}

function conversationWrite({ tenantId, conversation }: AnsweredExchangeRows): string {
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
function messagesInsert({ tenantId, messages }: AnsweredExchangeRows): string {
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

function usageInsert(record: UsageRecord): string {
  return `INSERT INTO usage_records (tenant_id, user_id, api_key_id, conversation_id, request_id,
                                     model, provider, input_tokens, output_tokens, cost_usd,
                                     latency_ms, outcome, error_code)
          SELECT ${sqlLiteral(record.tenantId)}::uuid, ${sqlLiteral(record.userId ?? null)}::uuid,
                 ${sqlLiteral(record.apiKeyId ?? null)}::uuid, conversation.id,
                 ${sqlLiteral(record.requestId)}, ${sqlLiteral(record.model)},
                 ${sqlLiteral(record.provider)}, ${sqlLiteral(record.inputTokens)}::integer,
                 ${sqlLiteral(record.outputTokens)}::integer,
                 ${sqlLiteral(record.costUsd)}::numeric, ${sqlLiteral(record.latencyMs)}::integer,
                 ${sqlLiteral(record.outcome)}, ${sqlLiteral(record.errorCode ?? null)}
            FROM conversation
          RETURNING 1`;
}
