import { Inject, Injectable } from '@nestjs/common';

import {
  DomainError,
  type EmbeddingProvider,
  ErrorCode,
  type SearchRequest,
  type SearchResult,
  type TenantId,
} from '@tenantbot/contracts';

import { resolveSettings } from '../common/rag-settings';
import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG } from '../config/tokens';
import { EmbeddingProviderError } from '../embeddings/embedder';
import { EmbedderRegistry } from '../embeddings/embedder-registry';
import { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { namedTerms } from './named-terms';
import { reciprocalRankFusion } from './reciprocal-rank-fusion';
import { type ChunkWithDocument, SearchRepository } from './search.repository';
import { SearchScopeRepository } from './search-scope.repository';

export interface SearchOutcome {
  results: SearchResult[];
  /**
   * No result holds enough of the query (SEARCH_RELEVANCE_THRESHOLD), or the best full-text
   * match does not mention a rare name the question asks about (`namedTerms`).
   */
  noRelevantContext: boolean;
}

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
    private readonly chunks: SearchRepository,
    private readonly scope: SearchScopeRepository,
    private readonly vectors: ChromaVectorStore,
    private readonly embedders: EmbedderRegistry,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
  ) {}

  async search(tenantId: TenantId, unscoped: SearchRequest): Promise<SearchOutcome> {
    // The scope (listed documents, tagged ones) restricts both rankings' candidates.
    const documentIds = await this.scope.documentIds(tenantId, unscoped);
    if (documentIds?.length === 0) {
      return { results: [], noRelevantContext: true };
    }
    const request = { ...unscoped, document_ids: documentIds };
    const settings = resolveSettings(request.settings, this.embedders.defaultProvider);
    const topK = request.top_k ?? settings.top_k;
    const candidates = Math.max(MIN_CANDIDATES, topK * CANDIDATES_PER_RESULT);
    // Both rankings at once: the full-text query runs while the query is embedded and Chroma
    // answers.
    const vectorWeight =
      settings.embedding_provider === 'local' ? this.config.SEARCH_LOCAL_VECTOR_WEIGHT : 1;
    const [textHits, vectorHits] = await Promise.all([
      this.chunks.fullTextSearch(
        tenantId,
        request.query,
        candidates,
        request.document_ids,
        namedTerms(request.query),
      ),
      vectorWeight > 0
        ? this.vectorSearch(tenantId, request, settings.embedding_provider, candidates)
        : [],
    ]);
    const fused = reciprocalRankFusion([
      { ids: textHits.map((hit) => hit.id), weight: 1 },
      { ids: vectorHits, weight: vectorWeight },
    ]);
    const rows = await this.topRows(tenantId, fused, topK, textHits);
    // A chunk that matched no query term, or ranked below the full-text candidates, holds
    // (next to) none of the query.
    const coverage = new Map(textHits.map((hit) => [hit.id, hit.coverage]));
    const results = rows.map(({ row, score }) => ({
      chunk_id: row.id,
      document_id: row.document_id,
      filename: row.filename ?? row.title ?? row.url ?? row.document_id,
      url: row.source_url ?? row.url,
      page: row.page,
      chunk_index: row.chunk_index,
      heading_path: row.heading_path,
      text: row.text,
      score,
      relevance: coverage.get(row.id) ?? 0,
    }));
    const best = Math.max(0, ...results.map((result) => result.relevance));
    // A question about something the knowledge base (nearly) never names, whose best match for
    // the whole question is about something else (ADR 0036-abstention-on-named-terms).
    const unnamed = (textHits[0]?.missing_names ?? 0) > 0;
    return {
      results,
      noRelevantContext: best < this.config.SEARCH_RELEVANCE_THRESHOLD || unnamed,
    };
  }

  private async vectorSearch(
    tenantId: TenantId,
    request: SearchRequest,
    provider: EmbeddingProvider,
    candidates: number,
  ): Promise<string[]> {
    const embedder = this.embedders.for(provider);
    let embedding: number[];
    try {
      [embedding] = await embedder.embed([request.query]);
    } catch (error) {
      if (!(error instanceof EmbeddingProviderError)) {
        throw error;
      }
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

  /**
   * The rows of the best `topK` fused hits: those of full-text candidates came with the
   * ranking, the others are read from Postgres. A vector id without a row (its chunk deleted
   * since, or replaced by a newer version) is skipped for the next hit.
   */
  private async topRows(
    tenantId: TenantId,
    fused: { id: string; score: number }[],
    topK: number,
    known: ChunkWithDocument[],
  ): Promise<{ row: ChunkWithDocument; score: number }[]> {
    const rows = new Map(known.map((row) => [row.id, row]));
    const found: { row: ChunkWithDocument; score: number }[] = [];
    let next = 0;
    while (found.length < topK && next < fused.length) {
      const wanted = fused.slice(next, next + topK - found.length);
      next += wanted.length;
      const unread = wanted.filter((hit) => !rows.has(hit.id)).map((hit) => hit.id);
      for (const row of await this.chunks.withDocuments(tenantId, unread)) {
        rows.set(row.id, row);
      }
      for (const hit of wanted) {
        const row = rows.get(hit.id);
        if (row) {
          found.push({ row, score: hit.score });
        }
      }
    }
    return found;
  }
}
