import { Injectable } from '@nestjs/common';
import type {
  DocumentSource,
  DocumentStatus,
  DocumentType,
  ListDocumentsRequest,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import type { Chunk } from '../chunking/chunker';
import type { ResolvedRagSettings } from '../common/rag-settings';
import type { TenantTransaction } from '@tenantbot/database';
import { TenantScopedRepository } from '../common/tenant-scoped-repository';

export interface DocumentRow {
  id: string;
  tenant_id: string;
  source: DocumentSource;
  type: DocumentType | null;
  filename: string | null;
  url: string | null;
  title: string | null;
  content_type: string | null;
  crawl: { max_pages: number; max_depth: number } | null;
  status: DocumentStatus;
  error_code: string | null;
  error: string | null;
  pages: number | null;
  chunk_count: number;
  /** bigint: pg hands it over as a string. */
  bytes: string | null;
  version: number;
  storage_key: string | null;
  settings: ResolvedRagSettings;
  embedding_model: string | null;
  created_at: Date;
  updated_at: Date;
  processed_at: Date | null;
}

/** A document as a job found it: `previous_status` tells a first start from a rerun. */
export type StartedDocument = DocumentRow & { previous_status: DocumentStatus };

export interface NewDocument {
  id: string;
  source: DocumentSource;
  type?: DocumentType | null;
  filename?: string | null;
  url?: string | null;
  title?: string | null;
  contentType?: string | null;
  crawl?: { max_pages: number; max_depth: number } | null;
  bytes?: number | null;
  storageKey?: string | null;
  settings: ResolvedRagSettings;
}

/** What a finished ingestion learnt about the document. */
export interface IngestionOutcome {
  type: DocumentType;
  title: string | null;
  pages: number | null;
  bytes: number | null;
  embeddingModel: string;
  chunks: (Chunk & { id: string })[];
}

const INSERT_BATCH = 1000;

@Injectable()
export class DocumentRepository extends TenantScopedRepository {
  constructor(scope: TenantScope) {
    super(scope);
  }

  /**
   * Inserts the document. An id that already exists (a retried create) is not inserted again:
   * the existing row comes back with `created: false`, or no row when another tenant owns it.
   */
  insert(tenantId: string, document: NewDocument) {
    return this.inTenant(tenantId, async (tx) => {
      const inserted = await tx.one<DocumentRow>(
        `INSERT INTO documents (id, tenant_id, source, type, filename, url, title, content_type,
                                crawl, bytes, storage_key, settings)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO NOTHING
         RETURNING *`,
        [
          document.id,
          tenantId,
          document.source,
          document.type ?? null,
          document.filename ?? null,
          document.url ?? null,
          document.title ?? null,
          document.contentType ?? null,
          document.crawl ? JSON.stringify(document.crawl) : null,
          document.bytes ?? null,
          document.storageKey ?? null,
          JSON.stringify(document.settings),
        ],
      );
      if (inserted) return { row: inserted, created: true };
      const existing = await tx.one<DocumentRow>(`SELECT * FROM documents WHERE id = $1`, [
        document.id,
      ]);
      return { row: existing, created: false };
    });
  }

  find(tenantId: string, id: string): Promise<DocumentRow | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<DocumentRow>(`SELECT * FROM documents WHERE id = $1`, [id]),
    );
  }

  list(tenantId: string, filter: ListDocumentsRequest) {
    // Naming the tenant (besides row-level security) lets the listing use its index.
    const where = `WHERE tenant_id = $1
                     AND ($2::text IS NULL OR status = $2)
                     AND ($3::text IS NULL OR type = $3)
                     AND ($4::text IS NULL OR source = $4)`;
    const parameters = [
      tenantId,
      filter.status ?? null,
      filter.type ?? null,
      filter.source ?? null,
    ];
    return this.inTenant(tenantId, async (tx) => {
      const rows = await tx.rows<DocumentRow>(
        `SELECT * FROM documents ${where} ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6`,
        [...parameters, filter.limit, filter.offset],
      );
      const counted = await tx.one<{ total: number }>(
        `SELECT count(*)::int AS total FROM documents ${where}`,
        parameters,
      );
      return { rows, total: counted?.total ?? 0 };
    });
  }

  /** Deletes the document; its chunks go with it (foreign key cascade). */
  delete(tenantId: string, id: string): Promise<DocumentRow | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<DocumentRow>(`DELETE FROM documents WHERE id = $1 RETURNING *`, [id]),
    );
  }

  /** Next version, back to pending; the current chunks stay searchable until it is done. */
  nextVersion(
    tenantId: string,
    id: string,
    settings: ResolvedRagSettings,
  ): Promise<DocumentRow | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<DocumentRow>(
        `UPDATE documents
            SET version = version + 1, status = 'pending', error_code = NULL, error = NULL,
                settings = $2, updated_at = now()
          WHERE id = $1
      RETURNING *`,
        [id, JSON.stringify(settings)],
      ),
    );
  }

  /**
   * Marks this version as being processed; nothing when it was deleted or superseded.
   * `previous_status` tells a first start (`pending`) from a retry or a takeover.
   */
  startProcessing(
    tenantId: string,
    id: string,
    version: number,
  ): Promise<StartedDocument | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<StartedDocument>(
        `UPDATE documents d SET status = 'processing', updated_at = now()
           FROM (SELECT id, status FROM documents WHERE id = $1 AND version = $2 FOR UPDATE) previous
          WHERE d.id = previous.id
      RETURNING d.*, previous.status AS previous_status`,
        [id, version],
      ),
    );
  }

  /**
   * Replaces the document's chunks with this version's and completes it, in one transaction.
   * False when the version is no longer current (deleted or reprocessed meanwhile).
   */
  complete(
    tenantId: string,
    id: string,
    version: number,
    outcome: IngestionOutcome,
  ): Promise<boolean> {
    return this.inTenant(tenantId, async (tx) => {
      // One statement completes the document (locking its row, so a concurrent reprocess or
      // delete waits) and, only if this version is still current, drops its previous chunks.
      const completed = await tx.one(
        `WITH completed AS (
           UPDATE documents
              SET status = 'completed', error_code = NULL, error = NULL, type = $3,
                  title = COALESCE(title, $4), pages = $5, bytes = COALESCE($6, bytes),
                  chunk_count = $7, embedding_model = $8, processed_at = now(),
                  updated_at = now()
            WHERE id = $1 AND version = $2
        RETURNING id
         ), replaced AS (
           DELETE FROM chunks WHERE document_id IN (SELECT id FROM completed)
         )
         SELECT id FROM completed`,
        [
          id,
          version,
          outcome.type,
          outcome.title,
          outcome.pages,
          outcome.bytes,
          outcome.chunks.length,
          outcome.embeddingModel,
        ],
      );
      if (!completed) return false;
      for (let start = 0; start < outcome.chunks.length; start += INSERT_BATCH) {
        await insertChunks(
          tx,
          tenantId,
          id,
          version,
          outcome.chunks.slice(start, start + INSERT_BATCH),
        );
      }
      return true;
    });
  }

  /** Fails this version, unless it already finished, with its reason; it keeps no chunks. */
  fail(
    tenantId: string,
    id: string,
    version: number,
    failure: { code: string; message: string },
  ): Promise<boolean> {
    return this.inTenant(tenantId, async (tx) => {
      const failed = await tx.one(
        `UPDATE documents
            SET status = 'failed', error_code = $3, error = $4, chunk_count = 0,
                processed_at = now(), updated_at = now()
          WHERE id = $1 AND version = $2 AND status IN ('pending', 'processing')
      RETURNING id`,
        [id, version, failure.code, failure.message.slice(0, 2000)],
      );
      if (failed) await tx.rows(`DELETE FROM chunks WHERE document_id = $1`, [id]);
      return failed !== undefined;
    });
  }
}

async function insertChunks(
  tx: TenantTransaction,
  tenantId: string,
  documentId: string,
  version: number,
  chunks: (Chunk & { id: string })[],
): Promise<void> {
  const records = chunks.map((chunk) => ({
    id: chunk.id,
    chunk_index: chunk.index,
    page: chunk.page,
    heading_path: chunk.headingPath,
    source_url: chunk.sourceUrl,
    text: chunk.text,
  }));
  await tx.rows(
    `INSERT INTO chunks (id, tenant_id, document_id, version, chunk_index, page, heading_path,
                         source_url, text)
     SELECT r.id, $1, $2, $3, r.chunk_index, r.page, r.heading_path, r.source_url, r.text
       FROM jsonb_to_recordset($4::jsonb)
         AS r(id uuid, chunk_index int, page int, heading_path text[], source_url text, text text)`,
    [tenantId, documentId, version, JSON.stringify(records)],
  );
}
