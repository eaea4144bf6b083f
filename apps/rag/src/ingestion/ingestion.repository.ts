import { Injectable } from '@nestjs/common';
import type { DocumentStatus, DocumentType, TenantId } from '@tenantbot/contracts';
import { TenantScope, type TenantTransaction } from '@tenantbot/database';
import type { Chunk } from '../chunks/chunker';
import { TenantScopedRepository } from '../common/tenant-scoped-repository';
import type { DocumentRow } from '../documents/documents.repository';

/** A document as a job found it: `previous_status` tells a first start from a rerun. */
export type StartedDocument = DocumentRow & { previous_status: DocumentStatus };

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

/** What an ingestion job writes: the document's processing state and its chunks. */
@Injectable()
export class IngestionRepository extends TenantScopedRepository {
  constructor(scope: TenantScope) {
    super(scope);
  }

  /**
   * Marks this version as being processed; nothing when it was deleted or superseded.
   * `previous_status` tells a first start (`pending`) from a retry or a takeover.
   */
  startProcessing(
    tenantId: TenantId,
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
    tenantId: TenantId,
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
    tenantId: TenantId,
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
  tenantId: TenantId,
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
