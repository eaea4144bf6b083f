import { z } from 'zod';

/**
 * Message patterns of the chat service. The tenant and the caller come from the request
 * context the transport carries, never from the payload.
 */
export const CHAT = {
  /** `ChatRequest` → `ChatResponse`. */
  SEND: 'chat.send',
  /**
   * `ChatRequest` → a stream of `ChatStreamEvent`: `delta` events, then exactly one `done`.
   * A failure ends the stream with the error (after a delta was sent, no fallback happens).
   * Unsubscribing cancels the exchange and the provider call.
   */
  STREAM: 'chat.stream',
  /** `ConversationListRequest` → `ConversationPage`. */
  CONVERSATIONS_LIST: 'chat.conversations.list',
  /** `ConversationRef` → `ConversationDetail`, or CONVERSATION_NOT_FOUND. */
  CONVERSATIONS_GET: 'chat.conversations.get',
  /** `ConversationRef` → `DeleteConversationReply`: the conversation and its messages are gone. */
  CONVERSATIONS_DELETE: 'chat.conversations.delete',
  /** `{}` → `ModelsReply`: the models the tenant may use. */
  MODELS: 'chat.models',
} as const;

// ---- model catalog ---------------------------------------------------------------------------

export const LLM_PROVIDERS = ['openai', 'anthropic', 'local'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

export interface ModelSpec {
  provider: LlmProviderName;
  context_window: number;
  /** USD per million tokens, as the provider's price list says. */
  input_usd_per_million: number;
  output_usd_per_million: number;
}

export const LOCAL_MODEL = 'local-extractive';

/** Every model the platform can route to, with what `cost_usd` is computed from. */
export const MODEL_CATALOG = {
  'gpt-4o-mini': {
    provider: 'openai',
    context_window: 128_000,
    input_usd_per_million: 0.15,
    output_usd_per_million: 0.6,
  },
  'gpt-4o': {
    provider: 'openai',
    context_window: 128_000,
    input_usd_per_million: 2.5,
    output_usd_per_million: 10,
  },
  'claude-3-5-haiku-latest': {
    provider: 'anthropic',
    context_window: 200_000,
    input_usd_per_million: 0.8,
    output_usd_per_million: 4,
  },
  'claude-sonnet-4-5': {
    provider: 'anthropic',
    context_window: 200_000,
    input_usd_per_million: 3,
    output_usd_per_million: 15,
  },
  [LOCAL_MODEL]: {
    provider: 'local',
    context_window: 32_768,
    input_usd_per_million: 0,
    output_usd_per_million: 0,
  },
} as const satisfies Record<string, ModelSpec>;

export type ModelId = keyof typeof MODEL_CATALOG;

export function isKnownModel(model: string): model is ModelId {
  return Object.hasOwn(MODEL_CATALOG, model);
}

// ---- chat.send / chat.stream -----------------------------------------------------------------

export const MAX_MESSAGE_CHARS = 32_000;
export const MAX_HISTORY_MESSAGES = 50;

export const chatTurnSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string().min(1).max(MAX_MESSAGE_CHARS),
});
export type ChatTurn = z.output<typeof chatTurnSchema>;

export const chatRequestSchema = z.strictObject({
  // Postgres text cannot hold NUL: refused here rather than failing when the message is stored.
  message: z
    .string()
    .trim()
    .min(1)
    .max(MAX_MESSAGE_CHARS)
    .refine((message) => !message.includes('\0'), 'must not contain NUL characters'),
  /** A model of the catalog the tenant may use; else the tenant's default. */
  model: z.string().min(1).max(100).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(32_000).optional(),
  use_rag: z.boolean().default(true),
  /** Continues a stored conversation; `conversation_history` is then ignored. */
  conversation_id: z.uuid().optional(),
  /** The turns so far, for a new conversation (a stateless client). */
  conversation_history: z.array(chatTurnSchema).max(MAX_HISTORY_MESSAGES).optional(),
  /** Chooses the route at the gateway (`chat.stream`); the chat service ignores it. */
  stream: z.boolean().optional(),
  /** The assistant that answers (its prompt, model, temperature, knowledge); else the default. */
  assistant_id: z.uuid().optional(),
});
export type ChatRequest = z.output<typeof chatRequestSchema>;

export const chatSourceSchema = z.object({
  document_id: z.uuid(),
  filename: z.string(),
  page: z.number().int().nullable(),
  chunk_index: z.number().int(),
  score: z.number(),
  text: z.string(),
});
export type ChatSource = z.output<typeof chatSourceSchema>;

export const tokenUsageSchema = z.object({
  input: z.number().int(),
  output: z.number().int(),
  total: z.number().int(),
});
export type TokenUsage = z.output<typeof tokenUsageSchema>;

export const chatResponseSchema = z.object({
  response: z.string(),
  conversation_id: z.uuid(),
  model_used: z.string(),
  tokens_used: tokenUsageSchema.describe('Tokens of this answer: input (prompt), output, total'),
  total_tokens: z
    .number()
    .int()
    .describe('`tokens_used.total` as one number, for clients that read a single integer'),
  latency_ms: z.number().int(),
  /** From the provider's reported usage and the catalog's prices, rounded to 6 decimals. */
  cost_usd: z.number(),
  request_id: z.string(),
  /** Exactly the passages the model was given, numbered [1], [2], … in this order. */
  sources: z.array(chatSourceSchema),
  /** Whether relevant passages of the tenant's documents were found and given to the model. */
  grounded: z.boolean(),
  /** The assistant that answered. */
  assistant_id: z.uuid(),
});
export type ChatResponse = z.output<typeof chatResponseSchema>;

export const chatDeltaEventSchema = z.object({
  type: z.literal('delta'),
  content: z.string(),
});
export const chatDoneEventSchema = chatResponseSchema.extend({ type: z.literal('done') });
export const chatStreamEventSchema = z.discriminatedUnion('type', [
  chatDeltaEventSchema,
  chatDoneEventSchema,
]);
export type ChatDeltaEvent = z.output<typeof chatDeltaEventSchema>;
export type ChatDoneEvent = z.output<typeof chatDoneEventSchema>;
export type ChatStreamEvent = z.output<typeof chatStreamEventSchema>;

// ---- conversations ---------------------------------------------------------------------------

/**
 * `mine` (default): the caller's own conversations. `tenant`: every conversation of the
 * tenant, for tenant admins and agents (and the super admin); others get FORBIDDEN.
 */
export const CONVERSATION_SCOPES = ['mine', 'tenant'] as const;
export type ConversationScope = (typeof CONVERSATION_SCOPES)[number];

export const conversationListRequestSchema = z.strictObject({
  scope: z.enum(CONVERSATION_SCOPES).default('mine'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ConversationListRequest = z.output<typeof conversationListRequestSchema>;

export const conversationRefSchema = z.strictObject({ id: z.uuid() });
export type ConversationRef = z.output<typeof conversationRefSchema>;

export const conversationSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  /** The owner: a user, or an API key (a widget, an integration). */
  user_id: z.uuid().nullable(),
  api_key_id: z.uuid().nullable(),
  message_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ConversationSummary = z.output<typeof conversationSummarySchema>;

export const conversationPageSchema = z.object({
  items: z.array(conversationSummarySchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type ConversationPage = z.output<typeof conversationPageSchema>;

export const conversationMessageSchema = z.object({
  id: z.uuid(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  sources: z.array(chatSourceSchema),
  /** The model that answered; null on the user's messages. */
  model: z.string().nullable(),
  tokens: tokenUsageSchema.nullable(),
  cost_usd: z.number().nullable(),
  latency_ms: z.number().int().nullable(),
  created_at: z.string(),
});
export type ConversationMessage = z.output<typeof conversationMessageSchema>;

export const conversationDetailSchema = conversationSummarySchema.extend({
  messages: z.array(conversationMessageSchema),
});
export type ConversationDetail = z.output<typeof conversationDetailSchema>;

export const deleteConversationReplySchema = z.object({ id: z.uuid(), deleted: z.literal(true) });
export type DeleteConversationReply = z.output<typeof deleteConversationReplySchema>;

// ---- chat.models -----------------------------------------------------------------------------

export const modelViewSchema = z.object({
  id: z.string(),
  provider: z.enum(LLM_PROVIDERS),
  context_window: z.number().int(),
  input_usd_per_million: z.number(),
  output_usd_per_million: z.number(),
  /** A key for its provider is configured (the tenant's or the platform's), or it is local. */
  available: z.boolean(),
  /** The model a request without `model` is answered with. */
  default: z.boolean(),
});
export type ModelView = z.output<typeof modelViewSchema>;

export const modelsReplySchema = z.object({
  /** Null only when the tenant allows no model of the catalog. */
  default_model: z.string().nullable(),
  models: z.array(modelViewSchema),
});
export type ModelsReply = z.output<typeof modelsReplySchema>;
