import OpenAI from 'openai';

import { type Embedder, EmbeddingProviderError } from './embedder';

export interface OpenAIEmbedderOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  batchSize: number;
  maxRetries: number;
  timeoutMs?: number;
}

const DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/**
 * OpenAI embeddings through the official SDK, in batches. The SDK retries 429 and 5xx
 * answers itself (honouring Retry-After); what still fails comes out as a retryable
 * `EmbeddingProviderError`, so the ingestion job backs off instead of failing the document.
 */
export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.model = options.model;
    this.dimensions = DIMENSIONS[options.model] ?? 1536;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs ?? 60_000,
    });
  }

  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.options.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.options.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(input: string[]): Promise<number[][]> {
    try {
      const response = await this.client.embeddings.create({
        model: this.model,
        input,
        encoding_format: 'float',
      });
      const ordered = [...response.data].sort((a, b) => a.index - b.index);
      if (ordered.length !== input.length) {
        throw new EmbeddingProviderError(
          `${this.model} returned ${ordered.length} vectors for ${input.length} texts`,
          false,
        );
      }
      return ordered.map((item) => item.embedding);
    } catch (error) {
      throw asProviderError(error);
    }
  }
}

function asProviderError(error: unknown): unknown {
  if (error instanceof EmbeddingProviderError) {
    return error;
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new EmbeddingProviderError(`OpenAI embeddings unreachable: ${error.message}`, true);
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new EmbeddingProviderError(
      `OpenAI embeddings answered ${status}: ${error.message}`,
      retryable,
    );
  }
  return error;
}
