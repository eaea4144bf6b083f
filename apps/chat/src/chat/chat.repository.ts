import { Injectable } from '@nestjs/common';
import { type RawBuilder, sql } from 'kysely';

import {
  type ChatSource,
  chatSourceSchema,
  type ConversationChannel,
  type LlmProviderName,
  type TenantId,
} from '@tenantbot/contracts';
import { type Row, TenantScopedRepository } from '@tenantbot/database';

/** The bot's answer to an exchange's question, with what it cost. */
export interface AnswerMessage {
  content: string;
  sources: ChatSource[];
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal, 6 places. */
  costUsd: string;
  latencyMs: number;
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
  /** Both messages carry it; a second write of the same exchange writes nothing. */
  exchangeId: string;
  /** Created with the exchange (`title` given), or continued (touched). */
  conversation: {
    id: string;
    title?: string;
    userId?: string;
    apiKeyId?: string;
    /** A widget visitor's conversation is owned by the visitor of that widget. */
    visitor?: { visitorId: string; widgetId: string };
    assistantId?: string;
    channel?: ConversationChannel;
  };
  /** The user, API key or visitor who asked; stored before the answer. */
  question: { authorId: string | null; content: string };
  answer: AnswerMessage;
  /** Its model, tokens, cost and latency are the answer's. */
  usage: Pick<
    UsageRecord,
    'userId' | 'apiKeyId' | 'requestId' | 'provider' | 'outcome' | 'errorCode'
  >;
}

/** How recording an answered exchange went. */
export type RecordOutcome = 'written' | 'already-stored' | 'conversation-gone';

/** The answer of an exchange as stored: its assistant message. */
export type StoredAnswer = Pick<
  Row<'messages'>,
  | 'conversation_id'
  | 'content'
  | 'model'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
  | 'latency_ms'
> & { sources: ChatSource[]; assistant_id: string | null };

/** What an exchange leaves behind: its conversation and messages, and its usage record. */
@Injectable()
export class ChatRepository extends TenantScopedRepository {
  /**
   * The conversation (created or touched), its two messages and the usage record, written in
   * one round trip by `record_answered_exchange` (ADR 0040), in the tenant's scope
   * (`statement`, its values inlined as literals). One statement is one transaction: all of it
   * is written or none. Nothing is written when the exchange is already stored (its messages'
   * `exchange_id`) or the continued conversation is gone.
   */
  async recordAnswered(tenantId: TenantId, rows: AnsweredExchangeRows): Promise<RecordOutcome> {
    const [result] = await this.statement(
      tenantId,
      () => sql<{ written: number }>`SELECT ${answeredExchangeCall(tenantId, rows)} AS written`,
    );
    if ((result?.written ?? 0) > 0) {
      return 'written';
    }
    return (await this.findAnswer(tenantId, rows.exchangeId))
      ? 'already-stored'
      : 'conversation-gone';
  }

  /** The stored answer of an exchange, if it was recorded. */
  findAnswer(tenantId: TenantId, exchangeId: string): Promise<StoredAnswer | undefined> {
    return this.statement(tenantId, (db) =>
      db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .select([
          'messages.conversation_id',
          'messages.content',
          'messages.sources',
          'messages.model',
          'messages.input_tokens',
          'messages.output_tokens',
          'messages.cost_usd',
          'messages.latency_ms',
          'conversations.assistant_id',
        ])
        .where('messages.tenant_id', '=', tenantId)
        .where('messages.exchange_id', '=', exchangeId)
        .where('messages.role', '=', 'assistant'),
    ).then(([row]) => row && { ...row, sources: chatSourceSchema.array().parse(row.sources) });
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

/** The function's arguments by name: each row's values in the columns they go to. */
function answeredExchangeCall(
  tenantId: TenantId,
  { exchangeId, conversation, question, answer, usage }: AnsweredExchangeRows,
): RawBuilder<number> {
  return sql<number>`record_answered_exchange(
    tenant => ${tenantId}::uuid,
    exchange => ${exchangeId}::uuid,
    conversation => ${conversation.id}::uuid,
    conversation_is_new => ${conversation.title !== undefined},
    title => ${conversation.title ?? null}::text,
    owner_user => ${conversation.userId ?? null}::uuid,
    owner_api_key => ${conversation.apiKeyId ?? null}::uuid,
    owner_visitor => ${conversation.visitor?.visitorId ?? null}::text,
    owner_widget => ${conversation.visitor?.widgetId ?? null}::uuid,
    assistant => ${conversation.assistantId ?? null}::uuid,
    channel => ${conversation.channel ?? 'api'}::text,
    question_author => ${question.authorId}::text,
    question => ${question.content}::text,
    answer => ${answer.content}::text,
    sources => ${JSON.stringify(answer.sources)}::jsonb,
    model => ${answer.model}::text,
    input_tokens => ${answer.inputTokens}::integer,
    output_tokens => ${answer.outputTokens}::integer,
    cost_usd => ${answer.costUsd}::numeric,
    latency_ms => ${answer.latencyMs}::integer,
    usage_user => ${usage.userId ?? null}::uuid,
    usage_api_key => ${usage.apiKeyId ?? null}::uuid,
    request_id => ${usage.requestId}::text,
    provider => ${usage.provider}::text,
    outcome => ${usage.outcome}::text,
    error_code => ${usage.errorCode ?? null}::text
  )`;
}
