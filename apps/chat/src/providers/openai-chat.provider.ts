import { Inject, Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';

import type { ChatConfig } from '../config';
import { CHAT_CONFIG } from '../tokens';
import type {
  DeltaListener,
  LlmCompletion,
  LlmProvider,
  LlmRequest,
  LlmUsage,
} from './llm-provider';
import { failureOfStatus, ProviderError } from './provider-error';

/** OpenAI chat completions through the official SDK. Retries are off: fallback is ours. */
@Injectable()
export class OpenAIChatProvider implements LlmProvider {
  readonly name = 'openai';

  constructor(@Inject(CHAT_CONFIG) private readonly config: ChatConfig) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    try {
      const completion = await this.client(request).chat.completions.create(
        { ...this.body(request), stream: false },
        { signal },
      );
      return {
        text: completion.choices[0]?.message.content ?? '',
        usage: usageOf(completion.usage),
      };
    } catch (error) {
      throw asProviderError(error);
    }
  }

  async stream(
    request: LlmRequest,
    signal: AbortSignal,
    onDelta: DeltaListener,
  ): Promise<LlmCompletion> {
    try {
      const chunks = await this.client(request).chat.completions.create(
        { ...this.body(request), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      let text = '';
      let usage: LlmUsage | undefined;
      for await (const chunk of chunks) {
        const delta = chunk.choices[0]?.delta.content;
        if (delta) {
          text += delta;
          onDelta(delta);
        }
        // With include_usage, the last chunk carries the usage and no choices.
        usage = usageOf(chunk.usage) ?? usage;
      }
      return { text, usage };
    } catch (error) {
      throw asProviderError(error);
    }
  }

  private client(request: LlmRequest): OpenAI {
    if (!request.apiKey) {
      throw new ProviderError('openai', 'not_configured', 'no OpenAI API key is configured');
    }
    return new OpenAI({
      apiKey: request.apiKey,
      baseURL: this.config.OPENAI_BASE_URL,
      maxRetries: 0,
      timeout: this.config.CHAT_PROVIDER_TIMEOUT_MS,
    });
  }

  private body(request: LlmRequest) {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: request.system },
      ...request.messages,
    ];
    return {
      model: request.model,
      messages,
      max_tokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
  }
}

function usageOf(usage: OpenAI.CompletionUsage | null | undefined): LlmUsage | undefined {
  if (!usage) {
    return undefined;
  }
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

function asProviderError(error: unknown): unknown {
  // An abort is the router's to interpret: a timeout of ours, or the caller leaving.
  if (error instanceof ProviderError || error instanceof OpenAI.APIUserAbortError) {
    return error;
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError('openai', 'timeout', 'OpenAI did not answer in time');
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ProviderError('openai', 'unreachable', `OpenAI unreachable: ${error.message}`);
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    return status === undefined
      ? new ProviderError('openai', 'server_error', `OpenAI failed: ${error.message}`)
      : new ProviderError('openai', failureOfStatus(status), `OpenAI answered ${status}`, status);
  }
  return error;
}
