import { Injectable } from '@nestjs/common';
import { sqlLiteral, TenantScope } from '@tenantbot/database';
import { TenantScopedRepository } from '../common/tenant-scoped-repository';

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

export interface RankedChunk extends ChunkWithDocument {
  rank: number;
}

/** What a search result needs, of the chunk `c` and its document `d`. */
const CITATION_COLUMNS = `c.id, c.document_id, c.chunk_index, c.page, c.heading_path, c.source_url, c.text,
       d.filename, d.title, d.url`;

/** The text search configuration of the `chunks.tsv` column (see the migration). */
const TEXT_SEARCH_CONFIG = 'english';

/**
 * The CTE `q` of the user's words (an SQL expression: a literal or a parameter): `every_word`
 * as `websearch_to_tsquery` reads them, and `any_word`, its AND relaxed to OR.
 */
export function textQuery(words: string): string {
  return `q AS (
         SELECT every_word, replace(every_word::text, ' & ', ' | ')::tsquery AS any_word
           FROM websearch_to_tsquery('${TEXT_SEARCH_CONFIG}', ${words}) AS every_word
       )`;
}

/** A chunk's full-text rank against `q`: 1 if it holds every word, plus its `ts_rank` (ADR 7). */
export const TEXT_RANK = `ts_rank(tsv, q.any_word) + CASE WHEN tsv @@ q.every_word THEN 1 ELSE 0 END`;

/**
 * Every query that scans chunks also names its tenant, although row-level security would
 * filter without it: the policy's OR (tenant, or platform scope) cannot use an index, while
 * `tenant_id = …` (a leakproof comparison) can, so the tenant's rows are read through the index
 * instead of scanning every tenant's chunks.
 */
@Injectable()
export class ChunkRepository extends TenantScopedRepository {
  constructor(scope: TenantScope) {
    super(scope);
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

  /**
   * Full-text ranking with `websearch_to_tsquery` (quotes, `or`, `-word`) and `ts_rank`.
   * Its AND is relaxed to OR, so a question's words need not all occur in one chunk; chunks
   * that do contain them all rank first. One round trip, while Chroma answers; each candidate
   * comes with its row, so a search whose best hits are all among them reads nothing more.
   * `ts_rank`, not `ts_rank_cd`: on Postgres 13+ the latter zero-fills 32 KB per query item
   * (word or operator) for every matching chunk, which made a question's query 3 to 7 times
   * as costly (ADR 7).
   */
  fullTextSearch(
    tenantId: string,
    query: string,
    limit: number,
    documentIds?: string[],
  ): Promise<RankedChunk[]> {
    const inDocuments = documentIds
      ? `AND document_id = ANY (${sqlLiteral(documentIds)}::uuid[])`
      : '';
    return this.statement<RankedChunk>(
      tenantId,
      `WITH ${textQuery(sqlLiteral(query))},
       c AS MATERIALIZED (
         SELECT id, tenant_id, document_id, chunk_index, page, heading_path, source_url, text,
                ${TEXT_RANK} AS rank
           FROM chunks, q
          WHERE tenant_id = ${sqlLiteral(tenantId)} AND tsv @@ q.any_word ${inDocuments}
          ORDER BY rank DESC, id
          LIMIT ${sqlLiteral(limit)}
       )
       SELECT ${CITATION_COLUMNS}, c.rank
         FROM c JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
        ORDER BY c.rank DESC, c.id`,
    );
  }

  /**
   * The chunks with what a citation needs of their document; ids of other tenants yield nothing.
   * The chunks are read by primary key first (a materialized CTE), then joined to their
   * documents: without table statistics (a tenant searching right after its first ingestion)
   * the planner would otherwise walk every chunk of each of the tenant's documents instead.
   */
  withDocuments(tenantId: string, ids: string[]): Promise<ChunkWithDocument[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.statement<ChunkWithDocument>(
      tenantId,
      `WITH c AS MATERIALIZED (
         SELECT id, tenant_id, document_id, chunk_index, page, heading_path, source_url, text
           FROM chunks WHERE id = ANY (${sqlLiteral(ids)}::uuid[])
       )
       SELECT ${CITATION_COLUMNS}
         FROM c JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id`,
    );
  }
}
