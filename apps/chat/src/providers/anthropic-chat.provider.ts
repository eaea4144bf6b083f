import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { Inject, Injectable } from '@nestjs/common';

import type { ChatTurn } from '@tenantbot/contracts';

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

/** Anthropic's Messages API through the official SDK. Retries are off: fallback is ours. */
@Injectable()
export class AnthropicChatProvider implements LlmProvider {
  readonly name = 'anthropic';

  constructor(@Inject(CHAT_CONFIG) private readonly config: ChatConfig) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    try {
      const message = await this.client(request).messages.create(
        { ...this.body(request), stream: false },
        { signal },
      );
      const text = message.content
        .flatMap((block) => (block.type === 'text' ? [block.text] : []))
        .join('');
      return {
        text,
        usage: {
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
        },
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
      const events = await this.client(request).messages.create(
        { ...this.body(request), stream: true },
        { signal },
      );
      let text = '';
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      for await (const event of events) {
        switch (event.type) {
          case 'message_start':
            inputTokens = event.message.usage.input_tokens;
            outputTokens = event.message.usage.output_tokens;
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) {
              text += event.delta.text;
              onDelta(event.delta.text);
            }
            break;
          case 'message_delta':
            // Cumulative counts: the last one is the total.
            outputTokens = event.usage.output_tokens;
            inputTokens = event.usage.input_tokens ?? inputTokens;
            break;
          case 'content_block_start':
          case 'content_block_stop':
          case 'message_stop':
            break;
        }
      }
      const usage: LlmUsage | undefined =
        inputTokens === undefined || outputTokens === undefined
          ? undefined
          : { inputTokens, outputTokens };
      return { text, usage };
    } catch (error) {
      throw asProviderError(error);
    }
  }

  private client(request: LlmRequest): Anthropic {
    if (!request.apiKey) {
      throw new ProviderError('anthropic', 'not_configured', 'no Anthropic API key is configured');
    }
    return new Anthropic({
      apiKey: request.apiKey,
      baseURL: this.config.ANTHROPIC_BASE_URL,
      maxRetries: 0,
      timeout: this.config.CHAT_PROVIDER_TIMEOUT_MS,
    });
  }

  private body(request: LlmRequest) {
    return {
      model: request.model,
      system: request.system,
      messages: alternatingTurns(request.messages),
      max_tokens: request.maxTokens,
      // Anthropic's range is 0–1, ours (OpenAI's) 0–2.
      ...(request.temperature === undefined
        ? {}
        : { temperature: Math.min(request.temperature, 1) }),
    };
  }
}

/** The Messages API wants turns that start with the user and alternate: merge runs of a role. */
export function alternatingTurns(turns: ChatTurn[]): MessageParam[] {
  const merged: ChatTurn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) {
      last.content = `${last.content}\n\n${turn.content}`;
    } else if (merged.length > 0 || turn.role === 'user') {
      merged.push({ ...turn });
    }
  }
  return merged;
}

function asProviderError(error: unknown): unknown {
  // An abort is the router's to interpret: a timeout of ours, or the caller leaving.
  if (error instanceof ProviderError || error instanceof Anthropic.APIUserAbortError) {
    return error;
  }
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ProviderError('anthropic', 'timeout', 'Anthropic did not answer in time');
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return new ProviderError('anthropic', 'unreachable', `Anthropic unreachable: ${error.message}`);
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    return status === undefined
      ? new ProviderError('anthropic', 'server_error', `Anthropic failed: ${error.message}`)
      : new ProviderError(
          'anthropic',
          failureOfStatus(status),
          `Anthropic answered ${status}`,
          status,
        );
  }
  return error;
}
