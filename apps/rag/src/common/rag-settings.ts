import { z } from 'zod';

import {
  DomainError,
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  ErrorCode,
  RAG_DEFAULTS,
  type RagSettings,
} from '@tenantbot/contracts';

/** The settings a document was ingested with, as kept on it (and in its job). */
export const resolvedRagSettingsSchema = z.object({
  chunk_size: z.number(),
  chunk_overlap: z.number(),
  top_k: z.number(),
  embedding_provider: z.enum(EMBEDDING_PROVIDERS),
});

export type ResolvedRagSettings = z.output<typeof resolvedRagSettingsSchema>;

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
