import type { MigrationInterface, QueryRunner } from 'typeorm';

import { tenantIsolationOncePerStatementSql, tenantIsolationSql } from '../row-level-security';

/**
 * BM25's inverted index and term statistics in tables a tenant-scoped query reaches through
 * btree indexes with leakproof predicates only (ADR 17). Row-level security
 * keeps a non-leakproof qual such as `tsv @@ query` out of an index scan, so the GIN index on
 * `(tenant_id, tsv)` only ever served `tenant_id = …` and every chunk of the tenant was read
 * and filtered; `tenant_id = … AND lexeme = …` (uuid and text equality, both leakproof) is an
 * index condition under the policy.
 *
 * - `chunk_terms`: one row per chunk and distinct lexeme, with the term's frequency in the
 *   chunk and the chunk's length (`chunk_length`: its indexed words), covered by the key.
 * - `chunk_term_counts`: each document's count of chunks holding a lexeme; a term's df is
 *   their sum. Per document, so concurrent ingestions never update the same row.
 * - `chunk_corpus_counts`: each document's number of chunks and their total length.
 *
 * Statement-level triggers on `chunks` (transition tables) maintain all three at ingestion and
 * deletion, in the same transaction, as the caller and under the same policy.
 */
export class ChunkTermIndex1796500000000 implements MigrationInterface {
  name = 'ChunkTermIndex1796500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE chunk_terms (
        tenant_id uuid NOT NULL,
        lexeme text NOT NULL,
        chunk_id uuid NOT NULL,
        tf integer NOT NULL,
        dl integer NOT NULL,
        PRIMARY KEY (tenant_id, lexeme, chunk_id) INCLUDE (tf, dl)
      )`);
    await db.query(`
      CREATE TABLE chunk_term_counts (
        tenant_id uuid NOT NULL,
        lexeme text NOT NULL,
        document_id uuid NOT NULL,
        df integer NOT NULL,
        PRIMARY KEY (tenant_id, lexeme, document_id) INCLUDE (df)
      )`);
    await db.query(`
      CREATE TABLE chunk_corpus_counts (
        tenant_id uuid NOT NULL,
        document_id uuid NOT NULL,
        chunks integer NOT NULL,
        total_length bigint NOT NULL,
        PRIMARY KEY (tenant_id, document_id) INCLUDE (chunks, total_length)
      )`);
    // BM25's document length: the chunk's number of indexed words (stop words excluded), as
    // in the reference BM25 of the eval set; its number of distinct lexemes, used before,
    // under-penalises long chunks that repeat their words.
    await db.query(`
      CREATE FUNCTION chunk_length(tsv tsvector) RETURNS integer
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN (SELECT coalesce(sum(coalesce(array_length(positions, 1), 1)), 0)::integer FROM unnest(tsv))`);
    for (const table of ['chunk_terms', 'chunk_term_counts', 'chunk_corpus_counts']) {
      for (const sql of tenantIsolationSql(table)) {
        await db.query(sql);
      }
      await db.query(tenantIsolationOncePerStatementSql(table));
    }

    await db.query(`
      CREATE FUNCTION chunk_terms_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_terms (tenant_id, lexeme, chunk_id, tf, dl)
        WITH sized AS MATERIALIZED (SELECT id, tenant_id, tsv, chunk_length(tsv) AS dl FROM added)
        SELECT n.tenant_id, u.lexeme, n.id, coalesce(array_length(u.positions, 1), 1), n.dl
          FROM sized n CROSS JOIN LATERAL unnest(n.tsv) u;
        INSERT INTO chunk_term_counts AS c (tenant_id, lexeme, document_id, df)
        SELECT n.tenant_id, u.lexeme, n.document_id, count(*)
          FROM added n CROSS JOIN LATERAL unnest(n.tsv) u
         GROUP BY 1, 2, 3
        ON CONFLICT (tenant_id, lexeme, document_id) DO UPDATE SET df = c.df + excluded.df;
        INSERT INTO chunk_corpus_counts AS c (tenant_id, document_id, chunks, total_length)
        SELECT tenant_id, document_id, count(*), sum(chunk_length(tsv)) FROM added GROUP BY 1, 2
        ON CONFLICT (tenant_id, document_id) DO UPDATE
          SET chunks = c.chunks + excluded.chunks, total_length = c.total_length + excluded.total_length;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION chunk_terms_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM chunk_terms t
         USING removed o CROSS JOIN LATERAL unnest(o.tsv) u
         WHERE t.tenant_id = o.tenant_id AND t.lexeme = u.lexeme AND t.chunk_id = o.id;
        WITH gone AS (
          SELECT o.tenant_id, u.lexeme, o.document_id, count(*) AS n
            FROM removed o CROSS JOIN LATERAL unnest(o.tsv) u GROUP BY 1, 2, 3
        ), emptied AS (
          DELETE FROM chunk_term_counts c USING gone g
           WHERE c.tenant_id = g.tenant_id AND c.lexeme = g.lexeme
             AND c.document_id = g.document_id AND c.df <= g.n
        )
        UPDATE chunk_term_counts c SET df = c.df - g.n FROM gone g
         WHERE c.tenant_id = g.tenant_id AND c.lexeme = g.lexeme
           AND c.document_id = g.document_id AND c.df > g.n;
        WITH gone AS (
          SELECT tenant_id, document_id, count(*) AS n, sum(chunk_length(tsv)) AS total_length
            FROM removed GROUP BY 1, 2
        ), emptied AS (
          DELETE FROM chunk_corpus_counts c USING gone g
           WHERE c.tenant_id = g.tenant_id AND c.document_id = g.document_id AND c.chunks <= g.n
        )
        UPDATE chunk_corpus_counts c
           SET chunks = c.chunks - g.n, total_length = c.total_length - g.total_length
          FROM gone g
         WHERE c.tenant_id = g.tenant_id AND c.document_id = g.document_id AND c.chunks > g.n;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER chunk_terms_added AFTER INSERT ON chunks
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION chunk_terms_added()`);
    await db.query(`
      CREATE TRIGGER chunk_terms_removed AFTER DELETE ON chunks
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION chunk_terms_removed()`);
    // Chunks are written and deleted, never changed: a change would leave the index stale.
    await db.query(`
      CREATE FUNCTION chunk_text_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'chunks are immutable: delete and insert instead';
      END $$`);
    await db.query(`
      CREATE TRIGGER chunk_text_unchanged BEFORE UPDATE OF text, heading_path, tenant_id, document_id
        ON chunks FOR EACH ROW EXECUTE FUNCTION chunk_text_unchanged()`);

    // The chunks already stored, as if ingested now.
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
    // Nothing searches chunks by their tsvector any more.
    await db.query(`DROP INDEX chunks_tenant_tsv`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX chunks_tenant_tsv ON chunks USING GIN (tenant_id, tsv)`);
    await db.query(`DROP TRIGGER chunk_text_unchanged ON chunks`);
    await db.query(`DROP TRIGGER chunk_terms_removed ON chunks`);
    await db.query(`DROP TRIGGER chunk_terms_added ON chunks`);
    await db.query(`DROP FUNCTION chunk_text_unchanged()`);
    await db.query(`DROP FUNCTION chunk_terms_removed()`);
    await db.query(`DROP FUNCTION chunk_terms_added()`);
    await db.query(`DROP FUNCTION chunk_length(tsvector)`);
    await db.query(`DROP TABLE chunk_corpus_counts`);
    await db.query(`DROP TABLE chunk_term_counts`);
    await db.query(`DROP TABLE chunk_terms`);
  }
}
