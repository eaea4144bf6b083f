import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search for BM25 (ADR 14): a chunk's indexed text is its heading
 * path followed by its text, so a chunk under "git-push(1) › OPTIONS" matches "push" even
 * when its own sentences do not repeat it; and the GIN index leads with `tenant_id`
 * (btree_gin), so a tenant's matching rows are found without visiting other tenants'.
 */
export class ChunkSearchBm251732000006000 implements MigrationInterface {
  name = 'ChunkSearchBm251732000006000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await db.query(`
      CREATE FUNCTION chunk_search_vector(heading_path text[], body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN to_tsvector('english'::regconfig, array_to_string(heading_path, ' ') || ' ' || body)`);
    await db.query(`ALTER TABLE chunks DROP COLUMN tsv`);
    await db.query(`
      ALTER TABLE chunks ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (chunk_search_vector(heading_path, text)) STORED`);
    await db.query(`CREATE INDEX chunks_tenant_tsv ON chunks USING GIN (tenant_id, tsv)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE chunks DROP COLUMN tsv`);
    await db.query(`DROP FUNCTION chunk_search_vector(text[], text)`);
    await db.query(`
      ALTER TABLE chunks ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('english', text)) STORED`);
    await db.query(`CREATE INDEX chunks_tsv ON chunks USING GIN (tsv)`);
  }
}
