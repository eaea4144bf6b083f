import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode, type LlmProviderName } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import type { ChatConfig } from '../config';
import type { RouteStep } from '../models/model-policy';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import { AnthropicChatProvider } from './anthropic-chat.provider';
import { IdleDeadline } from './idle-deadline';
import type { DeltaListener, LlmCompletion, LlmProvider, LlmRequest } from './llm-provider';
import { LocalExtractiveProvider } from './local-extractive.provider';
import { OpenAIChatProvider } from './openai-chat.provider';
import { ExchangeCancelled, ProviderError, type ProviderFailure } from './provider-error';

export type ProviderRequest = Omit<LlmRequest, 'model' | 'apiKey'>;

export interface AttemptFailure {
  model: string;
  provider: LlmProviderName;
  failure: ProviderFailure;
  status?: number;
}

/** What happened on the way, for the usage record (also when the exchange fails). */
export interface RouteTrace {
  /** The step tried last: the one that answered, or failed, or was cancelled. */
  step?: RouteStep;
  failures: AttemptFailure[];
}

export interface RoutedCompletion extends LlmCompletion {
  step: RouteStep;
}

/**
 * Tries the steps of a route in order until one answers. Any provider failure moves on —
 * 5xx, 429, network, silence past the timeout, and 4xx too (a revoked or mistyped key should
 * not take the chat down; it is logged as an error). A stream may only move on before its
 * first delta went out; after that the exchange fails. The caller leaving stops everything.
 */
@Injectable()
export class ProviderRouter {
  private readonly providers: Record<LlmProviderName, LlmProvider>;
  private readonly timeoutMs: number;

  constructor(
    openai: OpenAIChatProvider,
    anthropic: AnthropicChatProvider,
    local: LocalExtractiveProvider,
    @Inject(CHAT_CONFIG) config: ChatConfig,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {
    this.providers = { openai, anthropic, local };
    this.timeoutMs = config.CHAT_PROVIDER_TIMEOUT_MS;
  }

  async run(
    route: RouteStep[],
    request: ProviderRequest,
    signal: AbortSignal,
    trace: RouteTrace,
    onDelta?: DeltaListener,
  ): Promise<RoutedCompletion> {
    for (const step of route) {
      trace.step = step;
      let committed = false;
      const deadline = new IdleDeadline(signal, this.timeoutMs);
      try {
        const provider = this.providers[step.spec.provider];
        const call = { ...request, model: step.model, apiKey: step.apiKey };
        const completion = onDelta
          ? await provider.stream(call, deadline.signal, (text) => {
              committed = true;
              deadline.touch();
              onDelta(text);
            })
          : await provider.complete(call, deadline.signal);
        // SDK streams end quietly when aborted: a cut-off answer must not pass for a whole one.
        deadline.signal.throwIfAborted();
        return { ...completion, step };
      } catch (error) {
        if (signal.aborted) {
          throw new ExchangeCancelled();
        }
        const failure = this.record(step, error, deadline.timedOut, trace);
        if (committed) {
          throw new DomainError(
            ErrorCode.PROVIDER_ERROR,
            `${step.model} failed in the middle of its answer (${failure.failure})`,
            { attempts: trace.failures },
          );
        }
      } finally {
        deadline.dispose();
      }
    }
    throw new DomainError(
      ErrorCode.PROVIDER_ERROR,
      `no model could answer: ${trace.failures.map((f) => `${f.model} ${f.failure}`).join(', ')}`,
      { attempts: trace.failures },
    );
  }

  private record(
    step: RouteStep,
    error: unknown,
    timedOut: boolean,
    trace: RouteTrace,
  ): AttemptFailure {
    const provider = step.spec.provider;
    const failure: AttemptFailure = timedOut
      ? { model: step.model, provider, failure: 'timeout' }
      : error instanceof ProviderError
        ? { model: step.model, provider, failure: error.failure, status: error.status }
        : { model: step.model, provider, failure: 'unexpected' };
    trace.failures.push(failure);
    const fields = { ...failure, err: timedOut ? undefined : error };
    if (failure.failure === 'rejected') {
      this.logger.error(fields, `${provider} refused the request: check the key and the model`);
    } else {
      this.logger.warn(fields, `${provider} failed; trying the next model of the chain`);
    }
    return failure;
  }
}
