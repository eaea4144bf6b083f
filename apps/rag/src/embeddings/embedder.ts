/** Turns texts into vectors. One model per embedder; its name names the Chroma collection. */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
}

/** The provider failed; `retryable` for rate limits, server errors and lost connections. */
export class EmbeddingProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'EmbeddingProviderError';
  }
}
