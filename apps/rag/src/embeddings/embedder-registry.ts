import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { DomainError, type EmbeddingProvider, ErrorCode } from '@tenantbot/contracts';

import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG, SENTENCE_EMBEDDER } from '../config/tokens';
import type { Embedder } from './embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAIEmbedder } from './openai-embedder';
import type { TransformersEmbedder } from './transformers-embedder';

/**
 * The embedder of each provider a tenant may choose: `openai` only with an API key,
 * `transformers` only where the service loaded a sentence model at start (main.ts).
 */
@Injectable()
export class EmbedderRegistry implements OnApplicationShutdown {
  private readonly local = new LocalEmbedder();
  private readonly openai?: OpenAIEmbedder;
  /** The provider of tenants whose settings name none: EMBEDDING_PROVIDER. */
  readonly defaultProvider: EmbeddingProvider;

  constructor(
    @Inject(RAG_CONFIG) config: RagConfig,
    @Inject(SENTENCE_EMBEDDER) private readonly transformers: TransformersEmbedder | null,
  ) {
    this.defaultProvider = config.EMBEDDING_PROVIDER;
    if (config.OPENAI_API_KEY) {
      this.openai = new OpenAIEmbedder({
        apiKey: config.OPENAI_API_KEY,
        baseURL: config.OPENAI_BASE_URL,
        model: config.OPENAI_EMBEDDING_MODEL,
        batchSize: config.EMBEDDING_BATCH_SIZE,
        maxRetries: config.OPENAI_MAX_RETRIES,
      });
    }
  }

  for(provider: EmbeddingProvider): Embedder {
    switch (provider) {
      case 'local':
        return this.local;
      case 'openai':
        if (this.openai) {
          return this.openai;
        }
        throw notConfigured('the openai embedding provider', 'OPENAI_API_KEY');
      case 'transformers':
        if (this.transformers) {
          return this.transformers;
        }
        throw notConfigured('the transformers embedding provider', 'EMBEDDING_MODEL');
    }
  }

  /** Every model whose vectors may exist, so deletions reach all of a tenant's collections. */
  models(): string[] {
    return [this.local, this.openai, this.transformers].flatMap((embedder) =>
      embedder ? [embedder.model] : [],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transformers?.close();
  }
}

function notConfigured(what: string, variable: string): DomainError {
  return new DomainError(
    ErrorCode.FEATURE_DISABLED,
    `${what} is not configured on this platform (${variable})`,
  );
}
