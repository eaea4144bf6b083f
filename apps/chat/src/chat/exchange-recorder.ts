import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, type ChatSource } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { inTenant } from '@tenantbot/database';
import type { RouteStep } from '../models/model-policy';
import type { LlmUsage } from '../providers/llm-provider';
import type { Caller } from '../security/caller';
import { UsageRepository, type UsageOutcome } from '../usage/usage.repository';
import { decimalUsd } from '../models/cost';
import { ExchangeRepository } from './exchange.repository';

export interface ExchangeConversation {
  id: string;
  /** Created with this exchange, titled by its first message. */
  isNew: boolean;
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

/** Writes what an exchange leaves behind: its messages and its usage record, together. */
@Injectable()
export class ExchangeRecorder {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(ExchangeRepository) private readonly exchanges: ExchangeRepository,
    @Inject(UsageRepository) private readonly usage: UsageRepository,
  ) {}

  /** One round trip: the conversation, both messages and the usage record (ExchangeRepository). */
  async answered(
    caller: Caller,
    conversation: ExchangeConversation,
    exchange: AnsweredExchange,
  ): Promise<void> {
    const written = await this.exchanges.recordAnswered({
      tenantId: caller.tenantId,
      conversation: conversation.isNew
        ? {
            id: conversation.id,
            title: titleOf(exchange.question),
            userId: caller.userId,
            apiKeyId: caller.apiKeyId,
            visitor: caller.visitor,
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
    });
    if (!written) throw conversationGone();
  }

  failed(caller: Caller, exchange: FailedExchange): Promise<void> {
    return inTenant(this.scope, caller.tenantId, (tx) =>
      this.usage.insert(tx, {
        ...usageOf(caller, exchange),
        conversationId: exchange.conversationId,
        outcome: 'error',
        errorCode: exchange.errorCode,
      }),
    );
  }
}

function usageOf(caller: Caller, exchange: ExchangeCost) {
  return {
    tenantId: caller.tenantId,
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

function conversationGone() {
  // Deleted while the model was answering.
  return new DomainError(ErrorCode.CONVERSATION_NOT_FOUND, 'conversation not found');
}
