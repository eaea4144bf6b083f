import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type SearchRequest,
  type SearchResult,
} from '@tenantbot/contracts';
import { ChunkRepository } from '../chunks/chunk.repository';
import { resolveSettings } from '../common/rag-settings';
import { EmbeddingProviderError } from '../embeddings/embedder';
import { EmbedderRegistry } from '../embeddings/embedder-registry';
import { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { reciprocalRankFusion } from './reciprocal-rank-fusion';

/** Each ranking contributes this many candidates per requested result. */
const CANDIDATES_PER_RESULT = 4;
const MIN_CANDIDATES = 20;

/**
 * Hybrid retrieval: a Postgres full-text ranking and a Chroma vector ranking of the tenant's
 * chunks, fused by reciprocal rank. Chunk texts and citations come from Postgres under the
 * tenant's row-level security, so a vector id that is not the tenant's (or no longer exists)
 * can never surface.
 */
@Injectable()
export class HybridRetriever {
  constructor(
    private readonly chunks: ChunkRepository,
    private readonly vectors: ChromaVectorStore,
    private readonly embedders: EmbedderRegistry,
  ) {}

  async search(tenantId: string, request: SearchRequest): Promise<SearchResult[]> {
    const settings = resolveSettings(request.settings);
    const topK = request.top_k ?? settings.top_k;
    const candidates = Math.max(MIN_CANDIDATES, topK * CANDIDATES_PER_RESULT);
    const [textHits, vectorHits] = await Promise.all([
      this.chunks.fullTextSearch(tenantId, request.query, candidates, request.document_ids),
      this.vectorSearch(tenantId, request, settings.embedding_provider, candidates),
    ]);
    const fused = reciprocalRankFusion([textHits.map((hit) => hit.id), vectorHits]);
    const rows = new Map(
      (
        await this.chunks.withDocuments(
          tenantId,
          fused.map((hit) => hit.id),
        )
      ).map((row) => [row.id, row]),
    );
    return fused
      .flatMap(({ id, score }) => {
        const row = rows.get(id);
        if (!row) return [];
        return [
          {
            chunk_id: row.id,
            document_id: row.document_id,
            filename: row.filename ?? row.title ?? row.url ?? row.document_id,
            url: row.source_url ?? row.url,
            page: row.page,
            chunk_index: row.chunk_index,
            heading_path: row.heading_path,
            text: row.text,
            score,
          },
        ];
      })
      .slice(0, topK);
  }

  private async vectorSearch(
    tenantId: string,
    request: SearchRequest,
    provider: 'local' | 'openai',
    candidates: number,
  ): Promise<string[]> {
    const embedder = this.embedders.for(provider);
    let embedding: number[];
    try {
      [embedding] = await embedder.embed([request.query]);
    } catch (error) {
      if (!(error instanceof EmbeddingProviderError)) throw error;
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        `embedding the query failed: ${error.message}`,
      );
    }
    const hits = await this.vectors.query(
      tenantId,
      embedder.model,
      embedding,
      candidates,
      request.document_ids,
    );
    return hits.map((hit) => hit.id);
  }
}
