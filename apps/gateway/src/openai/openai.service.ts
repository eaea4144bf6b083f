import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';

import {
  type AuthenticatedTenant,
  CHAT,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  type OpenAiChatRequest,
  type OpenAiEmbeddingList,
  type OpenAiEmbeddingRequest,
  type OpenAiModelList,
  RAG,
} from '@tenantbot/contracts';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

import { ChatService } from '../chat/chat.service';
import {
  type ModelTarget,
  toChatRequest,
  toEmbeddingList,
  toModelList,
} from './openai-translation';

/**
 * The OpenAI-compatible API on the chat service's one exchange path (`chat.send`,
 * `chat.stream`): the same limits, budgets, usage records and stored conversations as
 * `/api/v1/chat/`.
 */
@Injectable()
export class OpenAiService {
  constructor(
    private readonly chat: ChatService,
    private readonly transport: RedisStreamsClient,
  ) {}

  async answer(caller: RequestContext, request: OpenAiChatRequest): Promise<ChatResponse> {
    return this.chat.answer(caller, await this.chatRequestOf(caller, request));
  }

  async stream(
    caller: RequestContext,
    request: OpenAiChatRequest,
  ): Promise<Observable<ChatStreamEvent>> {
    return this.chat.stream(caller, await this.chatRequestOf(caller, request));
  }

  async embeddings(
    caller: RequestContext,
    request: OpenAiEmbeddingRequest,
    settings: AuthenticatedTenant['rag'] | undefined,
  ): Promise<OpenAiEmbeddingList> {
    const reply = await runWithContext(caller, () =>
      this.transport.request(RAG.EMBED, { input: request.input, settings }),
    );
    return toEmbeddingList(reply, request.encoding_format);
  }

  async models(caller: RequestContext): Promise<OpenAiModelList> {
    const reply = await runWithContext(caller, () => this.transport.request(CHAT.MODELS, {}));
    return toModelList(reply, await this.assistantModelNames(caller));
  }

  async chatRequestOf(caller: RequestContext, request: OpenAiChatRequest): Promise<ChatRequest> {
    return toChatRequest(request, await this.resolveModel(caller, request.model));
  }

  /**
   * SEAM for assistants (#16a): `model` may name one of the tenant's assistants, by id or
   * slug, which then answers (`assistant_id` in the chat request). No assistant resolves
   * yet, so `model` goes on as a model name: the chat service resolves it in the catalog
   * (ids and aliases) and answers 400 UNKNOWN_MODEL, listing the allowed models, otherwise.
   */
  private resolveModel(_caller: RequestContext, model: string): Promise<ModelTarget> {
    return Promise.resolve({ model });
  }

  /** SEAM for assistants (#16a): the assistants the caller may use, listed as models. */
  private assistantModelNames(_caller: RequestContext): Promise<string[]> {
    return Promise.resolve([]);
  }
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
