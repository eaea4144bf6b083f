import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { TenantId } from '@tenantbot/contracts';
import { sqlLiteral, TenantScopedRepository } from '@tenantbot/database';

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
  /** BM25 score of the chunk against the query's terms. */
  rank: number;
  /**
   * Share of the query's content words, weighted by their IDF, that the chunk holds (itself or
   * a word of the same stem): 0 to 1.
   */
  coverage: number;
  /**
   * How many of the question's selective names (`namedTerms`, in at most SELECTIVE_SHARE of
   * the tenant's chunks, or in none) the chunk does not mention, itself or by a word of the
   * same stem.
   */
  missing_names: number;
}

/** What a search result needs, of the chunk `c` and its document `d`. */
const CITATION_COLUMNS = `c.id, c.document_id, c.chunk_index, c.page, c.heading_path, c.source_url, c.text,
       d.filename, d.title, d.url`;

/** BM25's term-frequency saturation and length normalisation (the usual values). */
const K1 = 1.2;
const B = 0.75;
/**
 * Only chunks holding one of the query's selective terms (found in at least one and at most
 * this share of the tenant's chunks) are scored, unless it has none: a word in half the
 * corpus alone rarely puts a chunk in the top results, and scoring every chunk that holds one
 * grows with the corpus. Measured on gitdocs: 0.05 scores 302 of the 1,268 chunks a question
 * matched, with hit@5 0.62 against 0.60 when all are scored.
 */
const SELECTIVE_SHARE = 0.05;
/** A question's first terms are ranked; the rest of a pasted wall of text adds little. */
const MAX_QUERY_TERMS = 32;

/**
 * The asker's pronouns ("how do I …", "can we …"), left out of a query's terms beside the stop
 * words `search_lexemes` drops: IDF weighs them down anyway, but each would cost a df lookup
 * over every document (ADR 0034-search-lexemes). Postgres's 127-word `english` stop list and a
 * list of question-form words ("way", "want", "happen", …) were measured too and ranked worse.
 */
const ASKER_WORDS = ['i', 'me', 'my', 'you', 'your', 'we', 'our'];

/**
 * Words that say how a question is asked, not what about: Postgres's English stop list and
 * question-form words. They are ranked like any other term (measured: dropping them ranks
 * worse), but `relevance` leaves them out: in a small corpus a missing "how" or "have" has the
 * highest IDF of all and would make any question look unanswered (ADR 0034-search-lexemes).
 */
const FUNCTION_WORDS = `i me my myself we our ours ourselves you your yours yourself yourselves he
  him his himself she her hers herself it its itself they them their theirs themselves what which
  who whom this that these those am is are was were be been being have has had having do does did
  doing a an the and but if or because as until while of at by for with about against between into
  through during before after above below to from up down in out on off over under again further
  then once here there when where why how all any both each few more most other some such no nor
  not only own same so than too very s t can will just don should now way ways want wants need
  needs happen happens happened possible something anything tell know many much`.split(/\s+/);

/**
 * The CTE `terms`, the query's words as `search_lexemes` reads them (the same function that
 * indexes chunks; no operator syntax, so no user text makes an invalid or oversized tsquery),
 * stop words and the asker's pronouns dropped. `words` is an SQL expression.
 */
export function queryTerms(words: string): string {
  return `terms AS MATERIALIZED (
         SELECT lexeme, coalesce(array_length(positions, 1), 1)::float8 AS qtf,
                lexeme <> ALL (${sqlLiteral(FUNCTION_WORDS)}::text[]) AS content
           FROM unnest(search_lexemes(${words}))
          WHERE lexeme <> ALL (${sqlLiteral(ASKER_WORDS)}::text[])
          LIMIT ${MAX_QUERY_TERMS}
       )`;
}

/**
 * At most this many chunks are scored per query, so a search's cost stops growing with the
 * tenant's corpus (ADR 17). Candidates come from the query's rarest terms
 * first; when even the rarest is in more chunks than this, an arbitrary sample of them is
 * scored (a loss of recall for queries of common words only, traded for a bounded cost).
 */
export const MAX_CANDIDATES = 500;

/**
 * The CTE `ranked`: BM25 of the tenant's chunks that hold any query term, best `limit` first
 * (ADRs 0014-bm25-full-text, 0017-search-at-scale). IDF and the average length come from the
 * tenant's own term statistics (`chunk_term_counts`, `chunk_corpus_counts`, kept at
 * ingestion), so another tenant's corpus never weighs in; postings are read from
 * `chunk_terms` with `tenant_id = … AND lexeme = …`, which an index serves under row-level
 * security. A chunk's length is its number of indexed words. `tenant` is an SQL expression.
 */
export function bm25Ranking(tenant: string, limit: number, inDocuments = ''): string {
  return `corpus AS MATERIALIZED (
         SELECT greatest(sum(chunks), 1)::float8 AS n,
                coalesce(sum(total_length)::float8 / nullif(sum(chunks), 0), 1) AS avgdl
           FROM chunk_corpus_counts WHERE tenant_id = ${tenant}
       ),
       idf AS MATERIALIZED (
         SELECT t.lexeme, t.qtf, t.content, df.n AS df,
                ln(1 + (corpus.n - df.n + 0.5) / (df.n + 0.5)) AS idf
           FROM terms t CROSS JOIN corpus
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(df), 0)::float8 AS n FROM chunk_term_counts
              WHERE tenant_id = ${tenant} AND lexeme = t.lexeme
           ) df
       ),
       chosen AS MATERIALIZED (
         SELECT lexeme FROM (
           SELECT lexeme, sum(df) OVER (ORDER BY df, lexeme) AS running,
                  row_number() OVER (ORDER BY df, lexeme) AS position
             FROM idf CROSS JOIN corpus
            WHERE df >= 1
              AND (df <= corpus.n * ${SELECTIVE_SHARE}
                   OR NOT EXISTS (SELECT 1 FROM idf WHERE df BETWEEN 1 AND corpus.n * ${SELECTIVE_SHARE}))
         ) by_rarity
          WHERE running <= ${MAX_CANDIDATES} OR position = 1
       ),
       matching AS MATERIALIZED (
         SELECT DISTINCT p.chunk_id AS id FROM chunk_terms p
          WHERE p.tenant_id = ${tenant} AND p.lexeme IN (SELECT lexeme FROM chosen)
          ${inDocuments ? `AND p.chunk_id IN (SELECT id FROM chunks WHERE tenant_id = ${tenant} ${inDocuments})` : ''}
          LIMIT ${MAX_CANDIDATES}
       ),
       ranked AS MATERIALIZED (
         SELECT m.id,
                sum(p.qtf * p.idf * p.tf * ${K1 + 1}
                    / (p.tf + ${K1} * (1 - ${B} + ${B} * p.dl / corpus.avgdl))) AS rank,
                -- Over the content words; over every word if the query has none.
                coalesce(coalesce(sum(p.qtf * p.idf) FILTER (WHERE p.content), 0)
                           / (SELECT sum(qtf * idf) FROM idf WHERE content),
                         sum(p.qtf * p.idf) / (SELECT sum(qtf * idf) FROM idf)) AS coverage
           FROM matching m
           -- One probe of the whole primary key per candidate and term the tenant holds: both
           -- are outer values here, so no plan can read a common term's every posting, nor
           -- (without table statistics) every posting of the tenant to find one chunk's.
           CROSS JOIN (SELECT * FROM idf WHERE df >= 1) i
           CROSS JOIN LATERAL (
             SELECT i.qtf, i.idf, i.content, t.tf, t.dl FROM chunk_terms t
              WHERE t.tenant_id = ${tenant} AND t.lexeme = i.lexeme AND t.chunk_id = m.id
             OFFSET 0
           ) p
           CROSS JOIN corpus
          GROUP BY m.id
          ORDER BY rank DESC, m.id
          LIMIT ${limit}
       )`;
}

/**
 * The share of `relevance` that a ranked chunk `c` adds by holding, not a content word of the
 * query, but a word of the same English Snowball stem ("costs" for "cost", "configured" for
 * "configure"). Words are indexed unstemmed (ADR 0034-search-lexemes); without this, the
 * unmatched word, often the rarest of the question, made a chunk that answers it look
 * unrelated. Only the query's content words the chunk lacks are stemmed, against the chunk's
 * own words that start with the same two letters (as a word and its stem do), and only for
 * the `ranked` rows: a bounded cost, the ranking unchanged, nothing re-indexed.
 */
const STEM_VARIANT_COVERAGE = `coalesce(
         (SELECT sum(i.qtf * i.idf) FROM idf i
           WHERE i.content AND i.lexeme <> ALL (tsvector_to_array(c.tsv))
             AND EXISTS (
               SELECT 1 FROM unnest(tsvector_to_array(c.tsv)) w
                WHERE left(w, 2) = left(i.lexeme, 2)
                  AND (ts_lexize('english_stem', w))[1] = (ts_lexize('english_stem', i.lexeme))[1]))
         / nullif((SELECT sum(qtf * idf) FROM idf WHERE content), 0), 0)`;

/**
 * The CTE `names`: the question's names (`namedTerms`) that are selective in the tenant's
 * corpus, found in at most SELECTIVE_SHARE of its chunks or in none. A name most chunks
 * mention ("Git" in Git's manual, the product's own name) says nothing about a chunk.
 */
function selectiveNames(names: string[], tenant: string): string {
  return `names AS MATERIALIZED (
         SELECT n.lexeme FROM unnest(${sqlLiteral(names)}::text[]) n(lexeme) CROSS JOIN corpus
          WHERE (SELECT coalesce(sum(df), 0) FROM chunk_term_counts
                  WHERE tenant_id = ${tenant} AND lexeme = n.lexeme) <= corpus.n * ${SELECTIVE_SHARE}
       )`;
}

/** How many of the CTE `names` a ranked chunk `c` mentions neither as is nor by stem. */
const MISSING_NAMES = `(SELECT count(*)::int FROM names n
          WHERE n.lexeme <> ALL (tsvector_to_array(c.tsv))
            AND NOT EXISTS (
              SELECT 1 FROM unnest(tsvector_to_array(c.tsv)) w
               WHERE left(w, 2) = left(n.lexeme, 2)
                 AND (ts_lexize('english_stem', w))[1] = (ts_lexize('english_stem', n.lexeme))[1]))`;

/**
 * Every query that scans chunks also names its tenant, although row-level security would
 * filter without it: the policy's condition cannot use an index, while `tenant_id = …` (a
 * leakproof comparison) can, so the tenant's rows are read through the index instead of
 * scanning every tenant's chunks. Both reads are one statement in one round trip
 * (`statement`): they are the search's hot path.
 */
@Injectable()
export class SearchRepository extends TenantScopedRepository {
  /**
   * The tenant's chunks ranked by BM25 against the query's plain terms, best `limit` first,
   * each with its row and document: one round trip, while Chroma answers. The ranking is
   * built as text (`queryTerms`, `bm25Ranking`, shared with bench/) from literals.
   */
  fullTextSearch(
    tenantId: TenantId,
    query: string,
    limit: number,
    documentIds?: string[],
    names: string[] = [],
  ): Promise<RankedChunk[]> {
    const inDocuments = documentIds
      ? `AND document_id = ANY (${sqlLiteral(documentIds)}::uuid[])`
      : '';
    const tenant = sqlLiteral(tenantId);
    const ranking = `${queryTerms(sqlLiteral(query))},
       ${bm25Ranking(tenant, limit, inDocuments)},
       ${selectiveNames(names, tenant)}`;
    return this.statement(
      tenantId,
      () => sql<RankedChunk>`WITH ${sql.raw(ranking)}
       SELECT ${sql.raw(CITATION_COLUMNS)}, r.rank,
              least(1, r.coverage + ${sql.raw(STEM_VARIANT_COVERAGE)}) AS coverage,
              ${sql.raw(MISSING_NAMES)} AS missing_names
         FROM ranked r
         JOIN chunks c ON c.id = r.id
         JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
        ORDER BY r.rank DESC, r.id`,
    );
  }

  /**
   * The chunks with what a citation needs of their document; ids of other tenants yield nothing.
   * The chunks are read by primary key first (a materialized CTE), then joined to their
   * documents: without table statistics (a tenant searching right after its first ingestion)
   * the planner would otherwise walk every chunk of each of the tenant's documents instead.
   */
  withDocuments(tenantId: TenantId, ids: string[]): Promise<ChunkWithDocument[]> {
    if (ids.length === 0) {
      return Promise.resolve([]);
    }
    return this.statement(tenantId, (db) =>
      db
        .with(
          (name) => name('c').materialized(),
          (cte) =>
            cte
              .selectFrom('chunks')
              .select([
                'id',
                'tenant_id',
                'document_id',
                'chunk_index',
                'page',
                'heading_path',
                'source_url',
                'text',
              ])
              .where('id', '=', sql<string>`ANY (${ids}::uuid[])`),
        )
        .selectFrom('c')
        .innerJoin('documents as d', (join) =>
          join.onRef('d.tenant_id', '=', 'c.tenant_id').onRef('d.id', '=', 'c.document_id'),
        )
        .select([
          'c.id',
          'c.document_id',
          'c.chunk_index',
          'c.page',
          'c.heading_path',
          'c.source_url',
          'c.text',
          'd.filename',
          'd.title',
          'd.url',
        ]),
    );
  }
}
