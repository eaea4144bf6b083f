import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, type EmbeddingProvider } from '@tenantbot/contracts';
import type { RagConfig } from '../config';
import { RAG_CONFIG } from '../tokens';
import type { Embedder } from './embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAIEmbedder } from './openai-embedder';

/** The embedder of each provider a tenant may choose; `openai` only with an API key. */
@Injectable()
export class EmbedderRegistry {
  private readonly local = new LocalEmbedder();
  private readonly openai?: OpenAIEmbedder;

  constructor(@Inject(RAG_CONFIG) config: RagConfig) {
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
        if (this.openai) return this.openai;
        throw new DomainError(
          ErrorCode.FEATURE_DISABLED,
          'the openai embedding provider is not configured on this platform (OPENAI_API_KEY)',
        );
    }
  }

  /** Every model whose vectors may exist, so deletions reach all of a tenant's collections. */
  models(): string[] {
    return this.openai ? [this.local.model, this.openai.model] : [this.local.model];
  }
}
