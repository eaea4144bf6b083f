import {
  DomainError,
  ErrorCode,
  RAG_DEFAULTS,
  type EmbeddingProvider,
  type RagSettings,
} from '@tenantbot/contracts';

export interface ResolvedRagSettings {
  chunk_size: number;
  chunk_overlap: number;
  top_k: number;
  embedding_provider: EmbeddingProvider;
}

/**
 * The tenant's settings (sent along by the caller) over the platform defaults, whose embedding
 * provider is the platform's EMBEDDING_PROVIDER.
 */
export function resolveSettings(
  settings: RagSettings | undefined,
  defaultProvider: EmbeddingProvider,
): ResolvedRagSettings {
  const resolved = { ...RAG_DEFAULTS, embedding_provider: defaultProvider, ...settings };
  if (resolved.chunk_overlap >= resolved.chunk_size) {
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      'settings.chunk_overlap must be smaller than settings.chunk_size',
      [{ field: 'settings.chunk_overlap', message: 'must be smaller than chunk_size' }],
    );
  }
  return resolved;
}
