import type { MigrationInterface, QueryRunner } from 'typeorm';

import { tenantIsolationSql } from '../row-level-security';

/**
 * Documents of the rag service and their chunks. Postgres is the source of truth for chunk
 * text; Chroma holds the vectors under the same ids. `(tenant_id, document_id)` references
 * the document, so a chunk can never belong to another tenant than its document.
 */
export class DocumentsAndChunks1732000001000 implements MigrationInterface {
  name = 'DocumentsAndChunks1732000001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        source text NOT NULL CHECK (source IN ('file', 'url', 'crawl', 'text')),
        type text CHECK (type IN ('pdf', 'txt', 'md', 'html', 'docx', 'csv')),
        filename text CHECK (length(filename) <= 255),
        url text CHECK (length(url) <= 2048),
        title text CHECK (length(title) <= 300),
        content_type text,
        crawl jsonb,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        error_code text,
        error text,
        pages integer,
        chunk_count integer NOT NULL DEFAULT 0,
        bytes bigint,
        version integer NOT NULL DEFAULT 1,
        storage_key text,
        settings jsonb NOT NULL DEFAULT '{}',
        embedding_model text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        UNIQUE (tenant_id, id),
        CHECK ((status = 'failed') = (error_code IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX documents_listing ON documents (tenant_id, created_at DESC, id)`);
    await db.query(`CREATE INDEX documents_status ON documents (tenant_id, status)`);
    for (const sql of tenantIsolationSql('documents')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE chunks (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        document_id uuid NOT NULL,
        version integer NOT NULL,
        chunk_index integer NOT NULL CHECK (chunk_index >= 0),
        page integer,
        heading_path text[] NOT NULL DEFAULT '{}',
        source_url text,
        text text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
        FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE,
        UNIQUE (document_id, chunk_index)
      )`);
    await db.query(`CREATE INDEX chunks_tsv ON chunks USING GIN (tsv)`);
    await db.query(`CREATE INDEX chunks_tenant ON chunks (tenant_id)`);
    for (const sql of tenantIsolationSql('chunks')) {
      await db.query(sql);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS chunks`);
    await db.query(`DROP TABLE IF EXISTS documents`);
  }
}
