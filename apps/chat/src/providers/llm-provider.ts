import type { ChatSource, ChatTurn, LlmProviderName } from '@tenantbot/contracts';

/** What every provider is asked: the assembled prompt, and for the extractive one its parts. */
export interface LlmRequest {
  model: string;
  /** The provider's key (the tenant's, else the platform's); the local provider needs none. */
  apiKey?: string;
  system: string;
  /** The conversation so far, ending with the user's question. */
  messages: ChatTurn[];
  temperature?: number;
  maxTokens: number;
  question: string;
  /** The passages given as context, numbered [1], [2], … in this order. */
  passages: ChatSource[];
  useRag: boolean;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmCompletion {
  text: string;
  /** As the provider reported it; undefined when it reported none. */
  usage?: LlmUsage;
}

export type DeltaListener = (text: string) => void;

/** An LLM behind one interface. Aborting the signal stops the call (and its HTTP request). */
export interface LlmProvider {
  readonly name: LlmProviderName;
  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion>;
  /** Calls `onDelta` with each piece of text as it arrives; resolves with the whole answer. */
  stream(request: LlmRequest, signal: AbortSignal, onDelta: DeltaListener): Promise<LlmCompletion>;
}
