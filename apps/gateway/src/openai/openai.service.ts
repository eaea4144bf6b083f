import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';

import {
  ASSISTANTS,
  type AuthenticatedTenant,
  CHAT,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  isBuiltInModelName,
  type OpenAiChatRequest,
  type OpenAiEmbeddingList,
  type OpenAiEmbeddingRequest,
  type OpenAiModelList,
  RAG,
  type UsableAssistant,
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

/** The most assistants one listing call returns. */
const ASSISTANT_PAGE = 200;

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
   * `model` names one of the assistants the caller may use, by id or slug (that assistant then
   * answers: `assistant_id` in the chat request), or else a model: the chat service resolves it
   * in the catalog (ids and aliases) and answers 400 UNKNOWN_MODEL, listing the allowed ones.
   */
  private async resolveModel(caller: RequestContext, model: string): Promise<ModelTarget> {
    if (isBuiltInModelName(model)) {
      return { model };
    }
    for await (const page of this.usableAssistantPages(caller)) {
      const assistant = page.find(
        (candidate) => candidate.id === model || candidate.slug === model,
      );
      if (assistant) {
        return { assistantId: assistant.id };
      }
    }
    return { model };
  }

  /** The assistants the caller may use, listed as models by their slugs. */
  private async assistantModelNames(caller: RequestContext): Promise<string[]> {
    const names: string[] = [];
    for await (const page of this.usableAssistantPages(caller)) {
      names.push(...page.map((assistant) => assistant.slug));
    }
    return names;
  }

  /** Every assistant the caller may use, a page at a time (a tenant may have any number). */
  private async *usableAssistantPages(caller: RequestContext): AsyncGenerator<UsableAssistant[]> {
    for (let offset = 0; ; offset += ASSISTANT_PAGE) {
      const page = await runWithContext(caller, () =>
        this.transport.request(ASSISTANTS.USABLE, { limit: ASSISTANT_PAGE, offset }),
      );
      yield page.items;
      if (page.items.length < ASSISTANT_PAGE || offset + ASSISTANT_PAGE >= page.total) {
        return;
      }
    }
  }
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
