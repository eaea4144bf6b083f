import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type ChatRequest,
  type ChatResponse,
  type ChatSource,
  type ChatStreamEvent,
  type ChatTurn,
  type ModelId,
  type ModelsReply,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { Reservation } from '@tenantbot/rate-limit';
import { randomUUID } from 'node:crypto';
import { ExchangeBudget, type ExchangeSpend } from '../budget/exchange-budget';
import type { ChatConfig } from '../config';
import { ConversationService } from '../conversation/conversation.service';
import { costInMicroUsd, usdOfMicros } from '../models/cost';
import { ModelPolicy, type PlatformModelSettings, type RouteStep } from '../models/model-policy';
import { PromptAssembler, type AssembledPrompt } from '../prompt/prompt-assembler';
import { TokenCounter } from '../prompt/token-counter';
import type { DeltaListener, LlmUsage } from '../providers/llm-provider';
import { ExchangeCancelled } from '../providers/provider-error';
import {
  ProviderRouter,
  type RoutedCompletion,
  type RouteTrace,
} from '../providers/provider-router';
import { ContextRetriever } from '../retrieval/context-retriever';
import { OutputSanitizer } from '../safety/output-sanitizer';
import { currentCaller, currentChatter, type Caller } from '../security/caller';
import { TenantDirectory } from '../tenant/tenant-directory';
import { CHAT_CONFIG, CHAT_LOGGER, PLATFORM_MODELS } from '../tokens';
import { ExchangeRecorder, type ExchangeConversation } from './exchange-recorder';

/** Everything one exchange decided before asking a model, and what it got so far. */
interface Exchange {
  caller: Caller;
  tenant: TenantRuntimeConfig;
  model: ModelId;
  /** The chosen model, then its fallbacks. */
  route: RouteStep[];
  conversation: ExchangeConversation;
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

const NEVER_CANCELLED = new AbortController().signal;

/**
 * One exchange: access and tenant first, then the model (request, tenant default, platform
 * default), the conversation so far, the tenant's relevant passages, the prompt, the
 * provider route with fallback, the output made safe, and the messages and usage recorded.
 */
@Injectable()
export class ChatService {
  constructor(
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(ConversationService) private readonly conversations: ConversationService,
    @Inject(ContextRetriever) private readonly retriever: ContextRetriever,
    @Inject(PromptAssembler) private readonly assembler: PromptAssembler,
    @Inject(ProviderRouter) private readonly router: ProviderRouter,
    @Inject(TokenCounter) private readonly tokens: TokenCounter,
    @Inject(ExchangeRecorder) private readonly recorder: ExchangeRecorder,
    @Inject(ExchangeBudget) private readonly budget: ExchangeBudget,
    @Inject(PLATFORM_MODELS) private readonly platform: PlatformModelSettings,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Any authenticated caller of the tenant may see its models. */
  async models(): Promise<ModelsReply> {
    currentCaller();
    return new ModelPolicy(await this.tenants.current(), this.platform).catalog();
  }

  async send(request: ChatRequest): Promise<ChatResponse> {
    const exchange = await this.begin(request);
    return this.complete(exchange, request, NEVER_CANCELLED);
  }

  /** Emits deltas as the answer arrives, then `done`; `signal` aborts when the caller leaves. */
  async stream(
    request: ChatRequest,
    signal: AbortSignal,
    emit: (event: ChatStreamEvent) => void,
  ): Promise<void> {
    const exchange = await this.begin(request);
    const response = await this.complete(exchange, request, signal, (content) =>
      emit({ type: 'delta', content }),
    );
    emit({ type: 'done', ...response });
  }

  /** What is checked before anything is spent; failing here records no usage. */
  private async begin(request: ChatRequest): Promise<Exchange> {
    const startedAt = performance.now();
    const caller = currentChatter();
    const tenant = await this.tenants.current();
    const policy = new ModelPolicy(tenant, this.platform);
    const model = policy.choose(request.model);
    const passages = request.use_rag
      ? this.retriever.relevantPassages(request.message, tenant.rag)
      : Promise.resolve([]);
    // Awaited by prompt(); when the history read fails first, nobody will.
    passages.catch(() => undefined);
    const history = request.conversation_id
      ? await this.conversations.history(caller, request.conversation_id)
      : (request.conversation_history ?? []);
    return {
      caller,
      tenant,
      model,
      route: policy.route(model),
      conversation: {
        id: request.conversation_id ?? randomUUID(),
        isNew: request.conversation_id === undefined,
      },
      history,
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
      await this.budget.settle(exchange.reservation, exchange.spend ?? this.failedSpend(exchange));
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
    await this.recorder.answered(exchange.caller, exchange.conversation, {
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
    return {
      response: answer,
      conversation_id: exchange.conversation.id,
      model_used: completion.step.model,
      tokens_used: {
        input: usage.inputTokens,
        output: usage.outputTokens,
        total: usage.inputTokens + usage.outputTokens,
      },
      latency_ms: latencyMs,
      cost_usd: usdOfMicros(costMicros),
      request_id: exchange.caller.requestId,
      sources: prompt.passages,
      grounded: prompt.passages.length > 0,
    };
  }

  /** Holds the most the exchange may spend against the tenant's budgets, before any provider call. */
  private async reserveBudget(
    exchange: Exchange,
    request: ChatRequest,
    prompt: AssembledPrompt,
  ): Promise<void> {
    exchange.reservation = await this.budget.reserve(exchange.tenant, exchange.route[0], {
      promptTokens: prompt.inputTokens,
      maxTokens: this.maxTokens(request),
    });
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
    const sanitizer = new OutputSanitizer(allowedHosts(exchange.tenant));
    const streaming = emitDelta && sanitizer.streaming();
    let shown = '';
    const show = (text: string) => {
      if (!text || !emitDelta) return;
      shown += text;
      emitDelta(text);
    };
    const completion = await this.router.run(
      exchange.route,
      {
        system: prompt.system,
        messages: prompt.messages,
        temperature: request.temperature,
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
    if (!streaming) return { completion, answer: sanitizer.sanitize(completion.text) };
    show(streaming.end());
    return { completion, answer: shown };
  }

  private async prompt(exchange: Exchange, request: ChatRequest): Promise<AssembledPrompt> {
    return this.assembler.assemble({
      systemPrompt: exchange.tenant.system_prompt,
      useRag: request.use_rag,
      passages: await exchange.passages,
      history: exchange.history,
      question: request.message,
      model: exchange.model,
      contextWindow: promptWindow(exchange.route),
      maxTokens: this.maxTokens(request),
    });
  }

  private async recordFailure(exchange: Exchange, error: unknown): Promise<void> {
    await this.recorder.failed(exchange.caller, {
      ...this.failedSpend(exchange),
      latencyMs: elapsedSince(exchange.startedAt),
      conversationId: exchange.conversation.isNew ? undefined : exchange.conversation.id,
      errorCode: errorCodeOf(error),
    });
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

/** Hosts links and images may point to: the tenant's domains and its allowed origins' hosts. */
function allowedHosts(tenant: TenantRuntimeConfig): string[] {
  const originHosts = tenant.allowed_origins.flatMap((origin) => {
    try {
      return [new URL(origin).hostname];
    } catch {
      return [];
    }
  });
  return [...tenant.domains, ...originHosts];
}

function errorCodeOf(error: unknown): string {
  if (error instanceof ExchangeCancelled) return 'CANCELLED';
  if (error instanceof DomainError) return error.code;
  return ErrorCode.INTERNAL_ERROR;
}

function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
