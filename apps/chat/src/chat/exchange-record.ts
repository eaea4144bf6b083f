import type { Caller, ChatSource } from '@tenantbot/contracts';

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
  conversation: ExchangeConversation,
  exchange: AnsweredExchange,
): AnsweredExchangeRows {
  return {
    conversation: conversation.isNew
      ? {
          id: conversation.id,
          title: titleOf(exchange.question),
          userId: caller.userId,
          apiKeyId: caller.apiKeyId,
          visitor: caller.visitor,
          assistantId: conversation.assistantId,
        }
      : { id: conversation.id },
    messages: [
      {
        role: 'user',
        content: exchange.question,
        sources: [],
        model: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        latencyMs: null,
      },
      {
        role: 'assistant',
        content: exchange.answer,
        sources: exchange.sources,
        model: exchange.step.model,
        inputTokens: exchange.usage.inputTokens,
        outputTokens: exchange.usage.outputTokens,
        costUsd: decimalUsd(exchange.costMicros),
        latencyMs: exchange.latencyMs,
      },
    ],
    usage: {
      ...usageOf(caller, exchange),
      conversationId: conversation.id,
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

function titleOf(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return line.length <= TITLE_CHARS ? line : `${line.slice(0, TITLE_CHARS - 1).trimEnd()}…`;
}
