import {
  type ChatRequest,
  chatRequestSchema,
  type ChatResponse,
  type ChatTurn,
  DomainError,
  type EmbedReply,
  ErrorCode,
  MAX_HISTORY_MESSAGES,
  type ModelsReply,
  type OpenAiChatChunk,
  type OpenAiChatCompletion,
  type OpenAiChatRequest,
  type OpenAiEmbeddingList,
  type OpenAiModelList,
  type OpenAiUsage,
  parseOrThrow,
} from '@tenantbot/contracts';

/** What `model` names once resolved: a model of the catalog, or (#16a) an assistant. */
export type ModelTarget = { model: string } | { assistantId: string };

/**
 * OpenAI's chat request as tenantbot's: the last message is the question (it must be the
 * user's), the user and assistant messages before it are the history (the newest
 * MAX_HISTORY_MESSAGES). System and developer messages are not passed on: the tenant's system
 * prompt governs what the assistant is and does.
 */
export function toChatRequest(request: OpenAiChatRequest, target: ModelTarget): ChatRequest {
  const question = request.messages.at(-1);
  if (question?.role !== 'user') {
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      'messages: the last message must be the user’s question',
      [{ field: 'messages', message: 'the last message must have the role "user"' }],
    );
  }
  const history: ChatTurn[] = request.messages
    .slice(0, -1)
    .flatMap((message): ChatTurn[] =>
      (message.role === 'user' || message.role === 'assistant') && message.content.trim()
        ? [{ role: message.role, content: message.content }]
        : [],
    )
    .slice(-MAX_HISTORY_MESSAGES);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return parseOrThrow(chatRequestSchema, {
    message: question.content,
    ...('model' in target ? { model: target.model } : { assistant_id: target.assistantId }),
    temperature: request.temperature ?? undefined,
    max_tokens: maxTokens ?? undefined,
    use_rag: request.use_rag,
    ...(history.length > 0 ? { conversation_history: history } : {}),
  });
}

export function completionIdOf(answer: Pick<ChatResponse, 'request_id'>): string {
  return `chatcmpl-${answer.request_id}`;
}

export function usageOf(answer: Pick<ChatResponse, 'tokens_used'>): OpenAiUsage {
  return {
    prompt_tokens: answer.tokens_used.input,
    completion_tokens: answer.tokens_used.output,
    total_tokens: answer.tokens_used.total,
  };
}

export function toCompletion(answer: ChatResponse, created: number): OpenAiChatCompletion {
  return {
    id: completionIdOf(answer),
    object: 'chat.completion',
    created,
    model: answer.model_used,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.response },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: usageOf(answer),
    sources: answer.sources,
    conversation_id: answer.conversation_id,
  };
}

/** The chunks of a streamed completion share its id, creation time and model. */
export interface ChunkFrame {
  id: string;
  created: number;
  model: string;
}

export function deltaChunk(
  frame: ChunkFrame,
  delta: OpenAiChatChunk['choices'][number]['delta'],
  includeUsage: boolean,
): OpenAiChatChunk {
  return {
    ...frame,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** The last chunk with a choice: `finish_reason`, and the extension fields. */
export function finishChunk(
  frame: ChunkFrame,
  answer: ChatResponse,
  includeUsage: boolean,
): OpenAiChatChunk {
  return {
    ...frame,
    model: answer.model_used,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }],
    ...(includeUsage ? { usage: null } : {}),
    sources: answer.sources,
    conversation_id: answer.conversation_id,
  };
}

/** `stream_options.include_usage`: one more chunk, with no choices and the usage. */
export function usageChunk(frame: ChunkFrame, answer: ChatResponse): OpenAiChatChunk {
  return {
    ...frame,
    model: answer.model_used,
    object: 'chat.completion.chunk',
    choices: [],
    usage: usageOf(answer),
  };
}

export function toModelList(reply: ModelsReply, assistants: string[]): OpenAiModelList {
  return {
    object: 'list',
    data: [
      // Aliases too: clients pick a model from this list, and may know only the alias.
      ...reply.models.flatMap((model) =>
        [model.id, ...model.aliases].map((id) => ({
          id,
          object: 'model' as const,
          created: 0,
          owned_by: model.provider,
        })),
      ),
      ...assistants.map((id) => ({
        id,
        object: 'model' as const,
        created: 0,
        owned_by: 'assistant',
      })),
    ],
  };
}

/** Vectors as OpenAI's embedding list; `base64` is the little-endian float32 bytes. */
export function toEmbeddingList(
  reply: EmbedReply,
  format: 'float' | 'base64',
): OpenAiEmbeddingList {
  return {
    object: 'list',
    data: reply.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding:
        format === 'float'
          ? vector
          : Buffer.from(new Float32Array(vector).buffer).toString('base64'),
    })),
    model: reply.model,
    usage: { prompt_tokens: reply.tokens, total_tokens: reply.tokens },
  };
}
