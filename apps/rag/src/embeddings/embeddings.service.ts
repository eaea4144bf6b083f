import { Injectable } from '@nestjs/common';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';

import {
  type Caller,
  DomainError,
  type EmbedReply,
  type EmbedRequest,
  ErrorCode,
} from '@tenantbot/contracts';

import { requireRole } from '../common/access';
import { resolveSettings } from '../common/rag-settings';
import { EmbeddingProviderError } from './embedder';
import { EmbedderRegistry } from './embedder-registry';

/** Whoever may chat may embed (the OpenAI-compatible `POST /v1/embeddings`). */
const EMBEDDERS: readonly Caller['role'][] = ['super_admin', 'tenant_admin', 'agent', 'user'];

/** Texts as vectors of the tenant's embedding model, the one its documents are indexed with. */
@Injectable()
export class EmbeddingsService {
  constructor(private readonly embedders: EmbedderRegistry) {}

  async embed(caller: Caller, request: EmbedRequest): Promise<EmbedReply> {
    requireRole(caller, EMBEDDERS);
    const settings = resolveSettings(request.settings, this.embedders.defaultProvider);
    const embedder = this.embedders.for(settings.embedding_provider);
    try {
      return {
        model: embedder.model,
        vectors: await embedder.embed(request.input),
        tokens: request.input.reduce((sum, text) => sum + countTokens(text), 0),
      };
    } catch (error) {
      if (error instanceof EmbeddingProviderError) {
        throw new DomainError(
          ErrorCode.PROVIDER_ERROR,
          `the embedding provider failed: ${error.message}`,
        );
      }
      throw error;
    }
  }
}
