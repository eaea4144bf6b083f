import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { z } from 'zod';

import {
  DOCUMENT_STATUSES,
  type DocumentCompletedEvent,
  type DocumentFailedEvent,
  type DocumentStatus,
  type DocumentType,
  type TenantId,
  WEBHOOK_EVENTS,
} from '@tenantbot/contracts';
import { type Queries, TenantScopedRepository } from '@tenantbot/database';

import type { Chunk } from '../chunks/chunker';
import { type DocumentRow, toDocumentRow } from '../documents/documents.repository';

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
const documentStatusSchema = z.enum(DOCUMENT_STATUSES);

/** What an ingestion job writes: the document's processing state and its chunks. */
@Injectable()
export class IngestionRepository extends TenantScopedRepository {
  /**
   * Marks this version as being processed; nothing when it was deleted or superseded.
   * `previous_status` tells a first start (`pending`) from a retry or a takeover.
   */
  async startProcessing(
    tenantId: TenantId,
    id: string,
    version: number,
  ): Promise<StartedDocument | undefined> {
    const started = await this.query(tenantId, (db) =>
      db
        .updateTable('documents as d')
        .from(
          db
            .selectFrom('documents')
            .select(['id', 'status'])
            .where('id', '=', id)
            .where('version', '=', version)
            .forUpdate()
            .as('previous'),
        )
        .set({ status: 'processing', updated_at: sql`now()` })
        .whereRef('d.id', '=', 'previous.id')
        .returningAll('d')
        .returning('previous.status as previous_status')
        .executeTakeFirst(),
    );
    if (!started) {
      return undefined;
    }
    const { previous_status, ...document } = started;
    return {
      ...toDocumentRow(document),
      previous_status: documentStatusSchema.parse(previous_status),
    };
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
    return this.query(tenantId, async (db) => {
      // One statement completes the document (locking its row, so a concurrent reprocess or
      // delete waits) and, only if this version is still current, drops its previous chunks.
      const completed = await db
        .with('completed', (cte) =>
          cte
            .updateTable('documents')
            .set({
              status: 'completed',
              error_code: null,
              error: null,
              type: outcome.type,
              title: sql<string | null>`COALESCE(title, ${outcome.title})`,
              pages: outcome.pages,
              bytes: sql<string | null>`COALESCE(${outcome.bytes}::bigint, bytes)`,
              chunk_count: outcome.chunks.length,
              embedding_model: outcome.embeddingModel,
              processed_at: sql`now()`,
              updated_at: sql`now()`,
            })
            .where('id', '=', id)
            .where('version', '=', version)
            .returning('id'),
        )
        .with('replaced', (cte) =>
          cte
            .deleteFrom('chunks')
            .where('document_id', 'in', cte.selectFrom('completed').select('id')),
        )
        .selectFrom('completed')
        .select('id')
        .executeTakeFirst();
      if (!completed) {
        return false;
      }
      for (let start = 0; start < outcome.chunks.length; start += INSERT_BATCH) {
        const batch = outcome.chunks.slice(start, start + INSERT_BATCH);
        await insertChunks(db, tenantId, id, version, batch);
      }
      const event: DocumentCompletedEvent = {
        tenantId,
        eventId: randomUUID(),
        document_id: id,
        version,
        chunk_count: outcome.chunks.length,
      };
      await recordEvent(db, WEBHOOK_EVENTS.DOCUMENT_COMPLETED, event);
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
    return this.query(tenantId, async (db) => {
      const failed = await db
        .updateTable('documents')
        .set({
          status: 'failed',
          error_code: failure.code,
          error: failure.message.slice(0, 2000),
          chunk_count: 0,
          processed_at: sql`now()`,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .where('version', '=', version)
        .where('status', 'in', ['pending', 'processing'])
        .returning('id')
        .executeTakeFirst();
      if (failed) {
        await db.deleteFrom('chunks').where('document_id', '=', id).execute();
        const event: DocumentFailedEvent = {
          tenantId,
          eventId: randomUUID(),
          document_id: id,
          version,
          error_code: failure.code,
        };
        await recordEvent(db, WEBHOOK_EVENTS.DOCUMENT_FAILED, event);
      }
      return failed !== undefined;
    });
  }
}

/**
 * The document's outcome as an event, in the transaction that writes it: the tenants service
 * relays `event_outbox` to the transport (and so to the tenant's webhooks) once it committed.
 */
async function recordEvent(db: Queries, pattern: string, payload: object): Promise<void> {
  await db
    .insertInto('event_outbox')
    .values({ pattern, payload: JSON.stringify(payload) })
    .execute();
}

/**
 * One statement per batch, its rows as one JSON parameter: a thousand chunks would otherwise
 * be nine thousand bind parameters.
 */
async function insertChunks(
  db: Queries,
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
  await db
    .insertInto('chunks')
    .columns([
      'id',
      'tenant_id',
      'document_id',
      'version',
      'chunk_index',
      'page',
      'heading_path',
      'source_url',
      'text',
    ])
    .expression(
      sql`SELECT r.id, ${tenantId}::uuid, ${documentId}::uuid, ${version}::int, r.chunk_index,
                 r.page, r.heading_path, r.source_url, r.text
            FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
              AS r(id uuid, chunk_index int, page int, heading_path text[], source_url text, text text)`,
    )
    .execute();
}
