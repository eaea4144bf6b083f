import { z } from 'zod';

import { chatSourceSchema, MAX_MESSAGE_CHARS } from './chat';
import { MAX_EMBED_INPUTS } from './rag';

/**
 * The OpenAI-compatible API (`/v1/*`): OpenAI's request and response shapes, translated at
 * the gateway to `chat.send` / `chat.stream` / `chat.models`. Unknown fields are accepted and
 * ignored (OpenAI clients send `top_p`, `presence_penalty`, … with defaults).
 */

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });

/** A message's content: a string, or OpenAI's array of text parts (joined). */
const messageContentSchema = z
  .union([z.string(), z.array(textPartSchema)])
  .transform((content) =>
    typeof content === 'string' ? content : content.map((part) => part.text).join(''),
  )
  .pipe(z.string().max(MAX_MESSAGE_CHARS));

export const openAiMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: messageContentSchema,
  name: z.string().max(100).optional(),
});
export type OpenAiMessage = z.output<typeof openAiMessageSchema>;

export const openAiChatRequestSchema = z.object({
  /** A model of the catalog (id or alias) the tenant may use, or an assistant (id or slug). */
  model: z.string().min(1).max(100),
  messages: z.array(openAiMessageSchema).min(1).max(200),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().min(1).max(32_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(32_000).nullish(),
  n: z.literal(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  /** The end user, for the integrator's own tracking; accepted and not stored. */
  user: z.string().max(256).optional(),
  /** Extension: `false` answers without the tenant's documents (default true). */
  use_rag: z.boolean().default(true),
});
export type OpenAiChatRequest = z.output<typeof openAiChatRequestSchema>;

export const openAiUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
export type OpenAiUsage = z.output<typeof openAiUsageSchema>;

export const openAiChatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: z.literal('stop'),
      logprobs: z.null(),
    }),
  ),
  usage: openAiUsageSchema,
  /** Extension: the passages of the tenant's documents the answer was grounded in. */
  sources: z.array(chatSourceSchema),
  /** Extension: the stored conversation this exchange was recorded in. */
  conversation_id: z.uuid(),
});
export type OpenAiChatCompletion = z.output<typeof openAiChatCompletionSchema>;

export const openAiChatChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: z.literal('stop').nullable(),
      logprobs: z.null(),
    }),
  ),
  usage: openAiUsageSchema.nullable().optional(),
  sources: z.array(chatSourceSchema).optional(),
  conversation_id: z.string().optional(),
});
export type OpenAiChatChunk = z.output<typeof openAiChatChunkSchema>;

export const openAiModelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string(),
      object: z.literal('model'),
      created: z.number().int(),
      owned_by: z.string(),
    }),
  ),
});
export type OpenAiModelList = z.output<typeof openAiModelListSchema>;

/** OpenAI's error body. `code` is OpenAI's where one matches, else tenantbot's stable code. */
export const openAiErrorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.string().nullable(),
    param: z.string().nullable(),
  }),
});
export type OpenAiErrorBody = z.output<typeof openAiErrorBodySchema>;

export const openAiEmbeddingRequestSchema = z.object({
  /** Any name: the tenant's embedding model answers (the one its documents are indexed with). */
  model: z.string().min(1).max(100),
  input: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(MAX_EMBED_INPUTS)])
    .transform((input) => (typeof input === 'string' ? [input] : input)),
  encoding_format: z.enum(['float', 'base64']).default('float'),
  user: z.string().max(256).optional(),
});
export type OpenAiEmbeddingRequest = z.output<typeof openAiEmbeddingRequestSchema>;

export const openAiEmbeddingListSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
export type OpenAiEmbeddingList = z.output<typeof openAiEmbeddingListSchema>;
