import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `chunk_search_vector`, the expression of every chunk's stored `tsv`, as PL/pgSQL: the same
 * expression, so every stored vector stays what it is. As a SQL function it passed its
 * argument (the heading path and the text, concatenated) to `search_lexemes`, which reads its
 * argument twice, so Postgres would not inline it and ran it as a SQL-function call for every
 * chunk written: 540–570 ms of Postgres time per 2,000 chunks of 1,150 characters, 370–380 ms
 * in PL/pgSQL (bench/README.md, RAG ingestion).
 */
export class ChunkVectorInPlpgsql1797000741000 implements MigrationInterface {
  name = 'ChunkVectorInPlpgsql1797000741000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION chunk_search_vector(heading_path text[], body text)
        RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      BEGIN
        RETURN search_lexemes(array_to_string(heading_path, ' ') || ' ' || body);
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION chunk_search_vector(heading_path text[], body text)
        RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN search_lexemes(array_to_string(heading_path, ' ') || ' ' || body)`);
  }
}
