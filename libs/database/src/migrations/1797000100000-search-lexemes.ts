import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lucene's English stop set: the 33 words the reference BM25 of the eval set drops. */
const STOP_WORDS =
  `a an and are as at be but by for if in into is it no not of on or such that the their
  then there these they this to was will with`.split(/\s+/);

/**
 * Words for BM25 (ADR 0034-search-lexemes): Postgres's parser without a dictionary (`simple`:
 * lower-cased, not stemmed; `<commit>` read as a word, not a tag), plus every identifier of
 * words joined by `- _ . / :` kept whole and split (`log_statement`, `blame.ignorerevsfile`,
 * `objects/info/alternates` and their parts), minus the stop words. Postgres's `english`
 * configuration stemmed, dropped `<commit>`, and kept `blame.ignoreRevsFile` or a path whole
 * only. The same function makes a chunk's indexed words and a query's terms, so both sides
 * always agree. The chunks' stored tsvector is recomputed (the generated column is dropped and
 * added again) and the postings and counts of ADR 17 are rebuilt from it.
 */
export class SearchLexemes1797000100000 implements MigrationInterface {
  name = 'SearchLexemes1797000100000';

  async up(db: QueryRunner): Promise<void> {
    // Identifiers longer than 100 characters (a hash, a data URL) are not added: a tsvector
    // refuses words over 2 KB, and nobody types such a word whole. Stop words are neither
    // indexed nor counted in a chunk's length (a quarter fewer postings to write).
    await db.query(`
      CREATE FUNCTION search_lexemes(body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN ts_delete(
          to_tsvector('simple'::regconfig, translate(body, '<>', '  '))
            || coalesce((SELECT array_to_tsvector(array_agg(DISTINCT word))
                           FROM regexp_matches(lower(body), '([[:alnum:]]+(?:[-_./:][[:alnum:]]+)+)', 'g') m
                           CROSS JOIN LATERAL unnest(m[1] || regexp_split_to_array(m[1], '[-_./:]')) word
                          WHERE length(m[1]) <= 100), ''::tsvector),
          '{${STOP_WORDS.join(',')}}'::text[])`);
    await this.reindex(db, `search_lexemes(array_to_string(heading_path, ' ') || ' ' || body)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await this.reindex(
      db,
      `to_tsvector('english'::regconfig, array_to_string(heading_path, ' ') || ' ' || body)`,
    );
    await db.query(`DROP FUNCTION search_lexemes(text)`);
  }

  /** `chunk_search_vector` redefined, every chunk's tsvector recomputed, the postings rebuilt. */
  private async reindex(db: QueryRunner, vector: string): Promise<void> {
    await db.query(`ALTER TABLE chunks DROP COLUMN tsv`);
    await db.query(`
      CREATE OR REPLACE FUNCTION chunk_search_vector(heading_path text[], body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN ${vector}`);
    await db.query(`
      ALTER TABLE chunks ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (chunk_search_vector(heading_path, text)) STORED`);
    // Every tenant's rows at once: the owner is subject to row-level security (FORCE) unless
    // it lifts it, inside this migration's transaction only.
    const tables = ['chunks', 'chunk_terms', 'chunk_term_counts', 'chunk_corpus_counts'];
    for (const table of tables) {
      await db.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    }
    await db.query(`DELETE FROM chunk_terms`);
    await db.query(`DELETE FROM chunk_term_counts`);
    await db.query(`DELETE FROM chunk_corpus_counts`);
    await db.query(`
      INSERT INTO chunk_terms (tenant_id, lexeme, chunk_id, tf, dl)
      WITH sized AS MATERIALIZED (SELECT id, tenant_id, tsv, chunk_length(tsv) AS dl FROM chunks)
      SELECT c.tenant_id, u.lexeme, c.id, coalesce(array_length(u.positions, 1), 1), c.dl
        FROM sized c CROSS JOIN LATERAL unnest(c.tsv) u`);
    await db.query(`
      INSERT INTO chunk_term_counts (tenant_id, lexeme, document_id, df)
      SELECT c.tenant_id, u.lexeme, c.document_id, count(*)
        FROM chunks c CROSS JOIN LATERAL unnest(c.tsv) u GROUP BY 1, 2, 3`);
    await db.query(`
      INSERT INTO chunk_corpus_counts (tenant_id, document_id, chunks, total_length)
      SELECT tenant_id, document_id, count(*), sum(chunk_length(tsv)) FROM chunks GROUP BY 1, 2`);
    for (const table of tables) {
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
  }
}
