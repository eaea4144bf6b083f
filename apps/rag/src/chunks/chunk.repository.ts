import { Injectable } from '@nestjs/common';
import { TenantScope, type TenantTransaction } from '@tenantbot/database';
import { TenantScopedRepository } from '../common/tenant-scoped-repository';

export interface ChunkHit {
  id: string;
  rank: number;
}

export interface ChunkWithDocument {
  id: string;
  document_id: string;
  chunk_index: number;
  page: number | null;
  heading_path: string[];
  source_url: string | null;
  text: string;
  filename: string | null;
  title: string | null;
  url: string | null;
}

/** The text search configuration of the `chunks.tsv` column (see the migration). */
const TEXT_SEARCH_CONFIG = 'english';

/**
 * Every query also names its tenant, although row-level security would filter without it:
 * the policy's OR (tenant, or platform scope) cannot use an index, while `tenant_id = $n`
 * (a leakproof comparison) can, so the tenant's rows are read through the index instead of
 * scanning every tenant's chunks.
 */
@Injectable()
export class ChunkRepository extends TenantScopedRepository {
  constructor(scope: TenantScope) {
    super(scope);
  }

  /**
   * Runs a search's queries in one transaction of the tenant: one connection and one BEGIN
   * for the full-text ranking and the rows of the fused hits, the round trips a search is
   * otherwise made of.
   */
  search<T>(tenantId: string, work: (chunks: TenantChunks) => Promise<T>): Promise<T> {
    return this.inTenant(tenantId, (tx) => work(new TenantChunks(tx, tenantId)));
  }

  countOfDocument(tenantId: string, documentId: string): Promise<number> {
    return this.inTenant(tenantId, async (tx) => {
      const row = await tx.one<{ count: number }>(
        `SELECT count(*)::int AS count FROM chunks WHERE tenant_id = $2 AND document_id = $1`,
        [documentId, tenantId],
      );
      return row?.count ?? 0;
    });
  }
}

/** The chunk queries of a search, in its tenant's transaction. */
export class TenantChunks {
  constructor(
    private readonly tx: TenantTransaction,
    private readonly tenantId: string,
  ) {}

  /**
   * Full-text ranking with `websearch_to_tsquery` (quotes, `or`, `-word`) and `ts_rank_cd`.
   * Its AND is relaxed to OR, so a question's words need not all occur in one chunk; chunks
   * that do contain them all rank first.
   */
  fullTextSearch(query: string, limit: number, documentIds?: string[]): Promise<ChunkHit[]> {
    return this.tx.rows<ChunkHit>(
      `WITH q AS (
         SELECT websearch_to_tsquery('${TEXT_SEARCH_CONFIG}', $1) AS every_word,
                replace(websearch_to_tsquery('${TEXT_SEARCH_CONFIG}', $1)::text, ' & ', ' | ')::tsquery
                  AS any_word
       )
       SELECT c.id,
              ts_rank_cd(c.tsv, q.any_word) + CASE WHEN c.tsv @@ q.every_word THEN 1 ELSE 0 END
                AS rank
         FROM chunks c, q
        WHERE c.tenant_id = $4 AND c.tsv @@ q.any_word
          AND ($3::uuid[] IS NULL OR c.document_id = ANY ($3))
        ORDER BY rank DESC, c.id
        LIMIT $2`,
      [query, limit, documentIds ?? null, this.tenantId],
    );
  }

  /** The chunks with what a citation needs of their document; ids of other tenants yield nothing. */
  withDocuments(ids: string[]): Promise<ChunkWithDocument[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tx.rows<ChunkWithDocument>(
      `SELECT c.id, c.document_id, c.chunk_index, c.page, c.heading_path, c.source_url, c.text,
              d.filename, d.title, d.url
         FROM chunks c JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
        WHERE c.tenant_id = $2 AND c.id = ANY ($1::uuid[])`,
      [ids, this.tenantId],
    );
  }
}
