import type { Caller, ChatSource, ConversationChannel } from '@tenantbot/contracts';

import { decimalUsd } from '../models/cost';
import type { RouteStep } from '../models/model-policy';
import type { LlmUsage } from '../providers/llm-provider';
import type { AnsweredExchangeRows, UsageOutcome, UsageRecord } from './chat.repository';

export interface ExchangeConversation {
  id: string;
  /** Created with this exchange, titled by its first message. */
  isNew: boolean;
  /** The assistant that answers; a new conversation keeps it for the next exchanges. */
  assistantId: string;
  /** Where a new conversation started. */
  channel: ConversationChannel;
}

export interface ExchangeCost {
  step: RouteStep;
  usage: LlmUsage;
  costMicros: number;
  latencyMs: number;
}

export interface AnsweredExchange extends ExchangeCost {
  question: string;
  answer: string;
  sources: ChatSource[];
  outcome: Extract<UsageOutcome, 'ok' | 'fallback'>;
  /** What made the first model fail, when another one answered. */
  errorCode?: string;
}

export interface FailedExchange extends ExchangeCost {
  /** The stored conversation it continued, if any. */
  conversationId?: string;
  errorCode: string;
}

const TITLE_CHARS = 100;

/** The rows an answered exchange leaves: its conversation, both messages, its usage record. */
export function answeredExchangeRows(
  caller: Caller,
  exchangeId: string,
  conversation: ExchangeConversation,
  exchange: AnsweredExchange,
): AnsweredExchangeRows {
  return {
    exchangeId,
    conversation: conversation.isNew
      ? {
          id: conversation.id,
          title: titleOf(exchange.question),
          userId: caller.userId,
          apiKeyId: caller.apiKeyId,
          visitor: caller.visitor,
          assistantId: conversation.assistantId,
          channel: conversation.channel,
        }
      : { id: conversation.id },
    question: { authorId: authorOf(caller), content: exchange.question },
    answer: {
      content: exchange.answer,
      sources: exchange.sources,
      model: exchange.step.model,
      inputTokens: exchange.usage.inputTokens,
      outputTokens: exchange.usage.outputTokens,
      costUsd: decimalUsd(exchange.costMicros),
      latencyMs: exchange.latencyMs,
    },
    usage: {
      userId: caller.userId,
      apiKeyId: caller.apiKeyId,
      requestId: caller.requestId,
      provider: exchange.step.spec.provider,
      outcome: exchange.outcome,
      errorCode: exchange.errorCode,
    },
  };
}

/** The usage record of a failed exchange. */
export function failedExchangeUsage(caller: Caller, exchange: FailedExchange): UsageRecord {
  return {
    ...usageOf(caller, exchange),
    conversationId: exchange.conversationId,
    outcome: 'error',
    errorCode: exchange.errorCode,
  };
}

function usageOf(caller: Caller, exchange: ExchangeCost) {
  return {
    userId: caller.userId,
    apiKeyId: caller.apiKeyId,
    requestId: caller.requestId,
    model: exchange.step.model,
    provider: exchange.step.spec.provider,
    inputTokens: exchange.usage.inputTokens,
    outputTokens: exchange.usage.outputTokens,
    costUsd: decimalUsd(exchange.costMicros),
    latencyMs: exchange.latencyMs,
  };
}

/** Who wrote a message: the user, else the API key, else the widget's visitor. */
export function authorOf(caller: Caller): string | null {
  return caller.userId ?? caller.apiKeyId ?? caller.visitor?.visitorId ?? null;
}

export function titleOf(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return line.length <= TITLE_CHARS ? line : `${line.slice(0, TITLE_CHARS - 1).trimEnd()}…`;
}
