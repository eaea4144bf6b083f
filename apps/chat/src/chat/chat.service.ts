import { setMaxListeners } from 'node:events';

import { Inject, Injectable } from '@nestjs/common';

import {
  type Caller,
  type ChatRequest,
  type ChatResponse,
  type ChatSource,
  type ChatStreamEvent,
  type ChatTurn,
  type ConversationChannel,
  type ConversationStatus,
  DomainError,
  ErrorCode,
  type ModelId,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { Reservation } from '@tenantbot/rate-limit';

import type { AssistantRow } from '../assistant/assistant.repository';
import { AssistantService } from '../assistant/assistant.service';
import { knowledgeOf } from '../assistant/assistant-view';
import { BudgetService, type ExchangeSpend } from '../budget/budget.service';
import type { ChatConfig } from '../config';
import { ConversationService } from '../conversation/conversation.service';
import { HandoffService, type HandoffTrigger } from '../handoff/handoff.service';
import { asksForPerson } from '../handoff/handoff-policy';
import { type HandoffPolicy, HandoffSettingsService } from '../handoff/handoff-settings.service';
import { costInMicroUsd, usdOfMicros } from '../models/cost';
import type { ModelPolicy, RouteStep } from '../models/model-policy';
import { ModelsService } from '../models/models.service';
import { type AssembledPrompt, PromptAssembler } from '../prompt/prompt-assembler';
import { TokenCounter } from '../prompt/token-counter';
import type { DeltaListener, LlmUsage } from '../providers/llm-provider';
import { ExchangeCancelled } from '../providers/provider-error';
import {
  ProviderRouter,
  type RoutedCompletion,
  type RouteTrace,
} from '../providers/provider-router';
import { RetrievalService } from '../retrieval/retrieval.service';
import { OutputSanitizer, tenantHosts } from '../safety/output-sanitizer';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import { ChatRepository, type StoredAnswer } from './chat.repository';
import { exchangeIdsOf, type ExchangeOrigin } from './exchange-id';
import {
  type AnsweredExchange,
  answeredExchangeRows,
  type ExchangeConversation,
  failedExchangeUsage,
} from './exchange-record';

/** Everything one exchange decided before asking a model, and what it got so far. */
interface Exchange {
  /** Derived from the transport request: a request delivered twice is one exchange. */
  id: string;
  caller: Caller;
  tenant: TenantRuntimeConfig;
  /** Its prompt (null: the tenant's), model, temperature and knowledge answer the exchange. */
  assistant: AssistantRow;
  model: ModelId;
  /** The chosen model, then its fallbacks. */
  route: RouteStep[];
  conversation: ExchangeConversation;
  /** The conversation's state before this message (`bot` for a new one). */
  status: ConversationStatus;
  /**
   * Set when a person, not the bot, takes this message: `receive` while one owns the
   * conversation (or is asked to), else what starts the handoff with it.
   */
  toPerson?: HandoffTrigger | 'receive';
  handoffPolicy: HandoffPolicy;
  /** Whether the bot's previous answer in the conversation was grounded (none: true). */
  lastAnswerGrounded: boolean;
  history: ChatTurn[];
  /** The tenant's passages for the question, fetched while the history was read. */
  passages: Promise<ChatSource[]>;
  startedAt: number;
  trace: RouteTrace;
  prompt?: AssembledPrompt;
  /** The model's text as it arrived, before sanitizing: what a failed stream still cost. */
  streamed: string;
  /** The budget held for the provider calls; none for the local responder. */
  reservation?: Reservation;
  /** What the answering model spent, once it answered. */
  spend?: ExchangeSpend;
}

/**
 * The signal of every unary exchange: each in flight listens to it until it ends, so more
 * than Node's default of 10 at once is normal, not a leak.
 */
const NEVER_CANCELLED = new AbortController().signal;
setMaxListeners(Number.POSITIVE_INFINITY, NEVER_CANCELLED);

/**
 * One exchange: access and tenant first, then the model (request, tenant default, platform
 * default), the conversation so far, the tenant's relevant passages, the prompt, the budget
 * reserved, the provider route with fallback, the output made safe, and the messages and
 * usage recorded.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly tenants: TenantConfigService,
    private readonly models: ModelsService,
    private readonly conversations: ConversationService,
    private readonly retrieval: RetrievalService,
    private readonly assembler: PromptAssembler,
    private readonly router: ProviderRouter,
    private readonly tokens: TokenCounter,
    private readonly exchanges: ChatRepository,
    private readonly budget: BudgetService,
    private readonly assistants: AssistantService,
    private readonly handoffs: HandoffService,
    private readonly handoffSettings: HandoffSettingsService,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {}

  async send(
    caller: Caller,
    request: ChatRequest,
    origin: ExchangeOrigin = {},
  ): Promise<ChatResponse> {
    const exchange = await this.begin(caller, request, origin);
    if ('stored' in exchange) {
      return exchange.stored;
    }
    if (exchange.toPerson) {
      return this.toPerson(exchange, exchange.toPerson, request);
    }
    return this.handOverIfUngrounded(
      exchange,
      request,
      await this.complete(exchange, request, NEVER_CANCELLED),
    );
  }

  /** Emits deltas as the answer arrives, then `done`; `signal` aborts when the caller leaves. */
  async stream(
    caller: Caller,
    request: ChatRequest,
    signal: AbortSignal,
    emit: (event: ChatStreamEvent) => void,
    origin: ExchangeOrigin = {},
  ): Promise<void> {
    const exchange = await this.begin(caller, request, origin);
    if ('stored' in exchange) {
      emit({ type: 'delta', content: exchange.stored.response });
      emit({ type: 'done', ...exchange.stored });
      return;
    }
    if (exchange.toPerson) {
      emit({ type: 'done', ...(await this.toPerson(exchange, exchange.toPerson, request)) });
      return;
    }
    const response = await this.complete(exchange, request, signal, (content) =>
      emit({ type: 'delta', content }),
    );
    emit({ type: 'done', ...(await this.handOverIfUngrounded(exchange, request, response)) });
  }

  /**
   * What is checked before anything is spent; failing here records no usage. An exchange
   * already stored (its request delivered again after the reply was lost) is answered as
   * stored, without asking a model again.
   */
  private async begin(
    caller: Caller,
    request: ChatRequest,
    origin: ExchangeOrigin,
  ): Promise<Exchange | { stored: ChatResponse }> {
    const startedAt = performance.now();
    if (caller.role === 'readonly') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'the readonly role cannot send messages');
    }
    const ids = exchangeIdsOf(caller, origin);
    const settings = Promise.all([
      this.tenants.runtimeConfig(caller),
      this.handoffSettings.policyFor(caller.tenantId),
    ]).then(([tenant, handoffPolicy]) => ({
      tenant,
      handoffPolicy,
      asksPerson: asksForPerson(request.message, handoffPolicy.phrases),
    }));
    // The search starts once the (cached) settings are there, while the assistant is read.
    const early = settings.then(({ tenant, asksPerson }) =>
      request.use_rag && !asksPerson
        ? this.retrieval.startEarly(caller, request.message, tenant.rag, request.assistant_id)
        : undefined,
    );
    early.catch(() => undefined); // a refused tenant fails the settings' await below
    // Read after the search has started (building its query takes a moment); a deactivated
    // tenant is refused first.
    const choice = early.then(() =>
      this.assistants.forExchange(caller, request.assistant_id, request.conversation_id),
    );
    choice.catch(() => undefined);
    const [{ tenant, handoffPolicy, asksPerson }, stored] = await Promise.all([
      settings,
      origin.transportRequestId && !origin.firstDelivery
        ? this.storedAnswer(caller, ids.exchange)
        : undefined,
    ]);
    if (stored) {
      return { stored };
    }
    const assistant = await choice;
    const policy = this.models.policyFor(tenant);
    const model = policy.choose(request.model ?? assistantModel(policy, assistant));
    const passages =
      request.use_rag && !asksPerson
        ? this.retrieval.relevantPassages(
            caller,
            request.message,
            tenant.rag,
            knowledgeOf(assistant),
            await early,
          )
        : Promise.resolve([]);
    // Awaited by prompt(); when the history read fails first, nobody will.
    passages.catch(() => undefined);
    const state = request.conversation_id
      ? await this.conversations.state(caller, request.conversation_id)
      : undefined;
    const status = state?.status ?? 'bot';
    if (status === 'closed') {
      throw new DomainError(ErrorCode.CONVERSATION_CLOSED, 'the conversation is closed');
    }
    return {
      id: ids.exchange,
      caller,
      tenant,
      assistant,
      model,
      route: policy.route(model),
      conversation: {
        id: request.conversation_id ?? ids.newConversation,
        isNew: request.conversation_id === undefined,
        assistantId: assistant.id,
        channel: channelOf(caller, request),
      },
      status,
      toPerson: status !== 'bot' ? 'receive' : asksPerson ? 'phrase' : undefined,
      handoffPolicy,
      lastAnswerGrounded: state?.lastAnswerGrounded ?? true,
      history: state?.turns ?? request.conversation_history ?? [],
      passages,
      startedAt,
      trace: { failures: [] },
      streamed: '',
    };
  }

  private async complete(
    exchange: Exchange,
    request: ChatRequest,
    signal: AbortSignal,
    emitDelta?: DeltaListener,
  ): Promise<ChatResponse> {
    try {
      return await this.answer(exchange, request, signal, emitDelta);
    } catch (error) {
      await this.recordFailure(exchange, error).catch((recordError: unknown) =>
        this.logger.error({ err: recordError }, 'recording a failed exchange failed'),
      );
      throw error;
    } finally {
      await this.budget.settle(
        exchange.caller,
        exchange.reservation,
        exchange.spend ?? this.failedSpend(exchange),
      );
    }
  }

  private async answer(
    exchange: Exchange,
    request: ChatRequest,
    signal: AbortSignal,
    emitDelta?: DeltaListener,
  ): Promise<ChatResponse> {
    const prompt = await this.prompt(exchange, request);
    exchange.prompt = prompt;
    await this.reserveBudget(exchange, request, prompt);
    const { completion, answer } = await this.generate(
      exchange,
      request,
      prompt,
      signal,
      emitDelta,
    );
    const usage = completion.usage ?? this.estimate(prompt, completion.text);
    const costMicros = costInMicroUsd(completion.step.spec, usage);
    exchange.spend = { step: completion.step, usage, costMicros };
    const latencyMs = elapsedSince(exchange.startedAt);
    const fellBack = exchange.trace.failures.length > 0;
    const recordedBefore = await this.recordAnswer(exchange, {
      step: completion.step,
      usage,
      costMicros,
      latencyMs,
      question: request.message,
      answer,
      sources: prompt.passages,
      outcome: fellBack ? 'fallback' : 'ok',
      errorCode: fellBack ? ErrorCode.PROVIDER_ERROR : undefined,
    });
    if (recordedBefore) {
      return recordedBefore;
    }
    const totalTokens = usage.inputTokens + usage.outputTokens;
    return {
      response: answer,
      conversation_id: exchange.conversation.id,
      model_used: completion.step.model,
      tokens_used: { input: usage.inputTokens, output: usage.outputTokens, total: totalTokens },
      total_tokens: totalTokens,
      latency_ms: latencyMs,
      cost_usd: usdOfMicros(costMicros),
      request_id: exchange.caller.requestId,
      sources: prompt.passages,
      grounded: prompt.passages.length > 0,
      assistant_id: exchange.assistant.id,
      handled_by: 'bot',
      conversation_status: 'bot',
    };
  }

  /**
   * A message a person takes: stored and delivered to the agents; no model is called and no
   * budget is held. The answer says so (`handled_by: "human"`), with the bot's notice when
   * this message started the handoff.
   */
  private async toPerson(
    exchange: Exchange,
    how: HandoffTrigger | 'receive',
    request: ChatRequest,
  ): Promise<ChatResponse> {
    const { caller, conversation } = exchange;
    const turn =
      how === 'receive'
        ? await this.handoffs.receive(caller, conversation.id, request.message)
        : await this.handoffs.handOverWith(caller, conversation, request.message, how);
    return {
      response: turn.notice ?? '',
      conversation_id: conversation.id,
      model_used: 'human',
      tokens_used: { input: 0, output: 0, total: 0 },
      total_tokens: 0,
      latency_ms: elapsedSince(exchange.startedAt),
      cost_usd: 0,
      request_id: caller.requestId,
      sources: [],
      grounded: false,
      assistant_id: exchange.assistant.id,
      handled_by: 'human',
      conversation_status: turn.conversation.status,
    };
  }

  /**
   * The tenant's policy may hand over after two answers in a row the bot could not ground in
   * its documents: the answer stands, the conversation then waits for a person.
   */
  private async handOverIfUngrounded(
    exchange: Exchange,
    request: ChatRequest,
    response: ChatResponse,
  ): Promise<ChatResponse> {
    const twiceUngrounded = request.use_rag && !response.grounded && !exchange.lastAnswerGrounded;
    if (!exchange.handoffPolicy.onUngrounded || !twiceUngrounded) {
      return response;
    }
    const handedOver = await this.handoffs.handOverAfterAnswer(
      exchange.caller,
      exchange.conversation.id,
    );
    return handedOver ? { ...response, conversation_status: 'waiting_human' } : response;
  }

  /** Holds the most the exchange may spend against the tenant's budgets, before any provider call. */
  private async reserveBudget(
    exchange: Exchange,
    request: ChatRequest,
    prompt: AssembledPrompt,
  ): Promise<void> {
    exchange.reservation = await this.budget.reserve(
      exchange.caller,
      exchange.tenant.rate_limits,
      exchange.route[0],
      { promptTokens: prompt.inputTokens, maxTokens: this.maxTokens(request) },
    );
  }

  /**
   * Runs the route and makes its output safe: whole for a unary answer, delta by delta for a
   * stream (where the answer is exactly what was emitted).
   */
  private async generate(
    exchange: Exchange,
    request: ChatRequest,
    prompt: AssembledPrompt,
    signal: AbortSignal,
    emitDelta?: DeltaListener,
  ): Promise<{ completion: RoutedCompletion; answer: string }> {
    const sanitizer = new OutputSanitizer(tenantHosts(exchange.tenant));
    const streaming = emitDelta && sanitizer.streaming();
    let shown = '';
    const show = (text: string) => {
      if (!text || !emitDelta) {
        return;
      }
      shown += text;
      emitDelta(text);
    };
    const completion = await this.router.run(
      exchange.route,
      {
        system: prompt.system,
        messages: prompt.messages,
        temperature: request.temperature ?? exchange.assistant.temperature ?? undefined,
        maxTokens: this.maxTokens(request),
        question: request.message,
        passages: prompt.passages,
        useRag: request.use_rag,
      },
      signal,
      exchange.trace,
      streaming &&
        ((raw) => {
          exchange.streamed += raw;
          show(streaming.push(raw));
        }),
    );
    if (!streaming) {
      return { completion, answer: sanitizer.sanitize(completion.text) };
    }
    show(streaming.end());
    return { completion, answer: shown };
  }

  private async prompt(exchange: Exchange, request: ChatRequest): Promise<AssembledPrompt> {
    return this.assembler.assemble({
      systemPrompt: exchange.assistant.system_prompt ?? exchange.tenant.system_prompt,
      useRag: request.use_rag,
      passages: await exchange.passages,
      history: exchange.history,
      question: request.message,
      model: exchange.model,
      contextWindow: promptWindow(exchange.route),
      maxTokens: this.maxTokens(request),
    });
  }

  /**
   * Its conversation, both messages and its usage record, in one round trip. The stored
   * answer instead when another delivery of the same request recorded the exchange first.
   */
  private async recordAnswer(
    exchange: Exchange,
    answered: AnsweredExchange,
  ): Promise<ChatResponse | undefined> {
    const { caller, conversation } = exchange;
    const rows = answeredExchangeRows(caller, exchange.id, conversation, answered);
    const outcome = await this.exchanges.recordAnswered(caller.tenantId, rows);
    if (outcome === 'conversation-gone') {
      // Deleted while the model was answering.
      throw new DomainError(ErrorCode.CONVERSATION_NOT_FOUND, 'conversation not found');
    }
    return outcome === 'already-stored' ? this.storedAnswer(caller, exchange.id) : undefined;
  }

  private async storedAnswer(
    caller: Caller,
    exchangeId: string,
  ): Promise<ChatResponse | undefined> {
    const stored = await this.exchanges.findAnswer(caller.tenantId, exchangeId);
    if (!stored) {
      return undefined;
    }
    // The conversation's assistant, unless it was deleted since: then the default answers for it.
    const assistantId =
      stored.assistant_id ?? (await this.assistants.forExchange(caller, undefined, undefined)).id;
    return storedResponse(caller, stored, assistantId);
  }

  private async recordFailure(exchange: Exchange, error: unknown): Promise<void> {
    const { caller, conversation } = exchange;
    const usage = failedExchangeUsage(caller, {
      ...this.failedSpend(exchange),
      latencyMs: elapsedSince(exchange.startedAt),
      conversationId: conversation.isNew ? undefined : conversation.id,
      errorCode: errorCodeOf(error),
    });
    await this.exchanges.recordFailed(caller.tenantId, usage);
  }

  /** Tokens count only when output was produced: failed calls are not billed, cut streams are. */
  private failedSpend(exchange: Exchange): ExchangeSpend {
    const step = exchange.trace.step ?? exchange.route[0];
    const usage =
      exchange.streamed && exchange.prompt
        ? this.estimate(exchange.prompt, exchange.streamed)
        : { inputTokens: 0, outputTokens: 0 };
    return { step, usage, costMicros: costInMicroUsd(step.spec, usage) };
  }

  private estimate(prompt: AssembledPrompt, output: string): LlmUsage {
    return { inputTokens: prompt.inputTokens, outputTokens: this.tokens.count(output) };
  }

  private maxTokens(request: ChatRequest): number {
    return request.max_tokens ?? this.config.CHAT_DEFAULT_MAX_TOKENS;
  }
}

/**
 * The assistant's model while the tenant still allows it; else (its allowed models changed
 * since) the tenant's default answers rather than the exchange failing.
 */
function assistantModel(policy: ModelPolicy, assistant: AssistantRow): string | undefined {
  if (assistant.model === null) {
    return undefined;
  }
  try {
    return policy.choose(assistant.model);
  } catch {
    return undefined;
  }
}

/**
 * The prompt must fit every model that may receive it: the chosen one and the remote
 * fallbacks (the extractive responder reads only the passages).
 */
function promptWindow(route: RouteStep[]): number {
  return Math.min(
    ...route
      .filter((step, index) => index === 0 || step.spec.provider !== 'local')
      .map((step) => step.spec.context_window),
  );
}

function storedResponse(caller: Caller, stored: StoredAnswer, assistantId: string): ChatResponse {
  const input = stored.input_tokens ?? 0;
  const output = stored.output_tokens ?? 0;
  return {
    response: stored.content,
    conversation_id: stored.conversation_id,
    model_used: stored.model ?? '',
    tokens_used: { input, output, total: input + output },
    total_tokens: input + output,
    latency_ms: stored.latency_ms ?? 0,
    cost_usd: Number(stored.cost_usd ?? 0),
    request_id: caller.requestId,
    sources: stored.sources,
    grounded: stored.sources.length > 0,
    assistant_id: assistantId,
    handled_by: 'bot',
    conversation_status: 'bot',
  };
}

/** A visitor's conversations are the widget's; the gateway says which other channel it is. */
function channelOf(caller: Caller, request: ChatRequest): ConversationChannel {
  return caller.visitor ? 'widget' : (request.channel ?? 'api');
}

function errorCodeOf(error: unknown): string {
  if (error instanceof ExchangeCancelled) {
    return 'CANCELLED';
  }
  if (error instanceof DomainError) {
    return error.code;
  }
  return ErrorCode.INTERNAL_ERROR;
}

function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
