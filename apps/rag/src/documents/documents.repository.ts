import { Injectable } from '@nestjs/common';
import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';

import {
  DOCUMENT_SOURCES,
  DOCUMENT_STATUSES,
  DOCUMENT_TYPES,
  type DocumentSource,
  type DocumentType,
  type ListDocumentsRequest,
  type TenantId,
} from '@tenantbot/contracts';
import { type InTenant, type Row, type Schema, TenantScopedRepository } from '@tenantbot/database';

import { type ResolvedRagSettings, resolvedRagSettingsSchema } from '../common/rag-settings';

/**
 * The `documents` columns the table keeps as text or JSON, checked into the domain's types as a
 * row is read: a value this code does not know fails loudly instead of travelling on mistyped.
 */
const typedColumnsSchema = z.object({
  source: z.enum(DOCUMENT_SOURCES),
  type: z.enum(DOCUMENT_TYPES).nullable(),
  status: z.enum(DOCUMENT_STATUSES),
  crawl: z.object({ max_pages: z.number(), max_depth: z.number() }).nullable(),
  settings: resolvedRagSettingsSchema,
});
type TypedColumns = z.output<typeof typedColumnsSchema>;

/** A stored document. `bytes` (a bigint) comes as a string. */
export type DocumentRow = Omit<Row<'documents'>, keyof TypedColumns> & TypedColumns;

export function toDocumentRow(row: Row<'documents'>): DocumentRow {
  return { ...row, ...typedColumnsSchema.parse(row) };
}

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
  tags?: string[];
  /** The SHA-256 of a file's or a text's content (hex). */
  contentSha256?: string | null;
  settings: ResolvedRagSettings;
}

@Injectable()
export class DocumentsRepository extends TenantScopedRepository {
  /**
   * Inserts the document. An id that already exists (a retried create) is not inserted again:
   * the existing row comes back with `created: false`, or no row when another tenant owns it.
   */
  insert(tenantId: TenantId, document: NewDocument) {
    return this.query(tenantId, async (db) => {
      const inserted = await db
        .insertInto('documents')
        .values({
          id: document.id,
          tenant_id: tenantId,
          source: document.source,
          type: document.type ?? null,
          filename: document.filename ?? null,
          url: document.url ?? null,
          title: document.title ?? null,
          content_type: document.contentType ?? null,
          crawl: document.crawl ? JSON.stringify(document.crawl) : null,
          bytes: document.bytes ?? null,
          storage_key: document.storageKey ?? null,
          content_sha256: document.contentSha256 ?? null,
          settings: JSON.stringify(document.settings),
          tags: document.tags ?? [],
        })
        // Any unique index: two deliveries inserting at once may meet first in (tenant_id, id),
        // which, as a non-target index, would raise instead of doing nothing.
        .onConflict((conflict) => conflict.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) {
        return { row: toDocumentRow(inserted), created: true };
      }
      const existing = await db
        .selectFrom('documents')
        .selectAll()
        .where('id', '=', document.id)
        .executeTakeFirst();
      return { row: existing && toDocumentRow(existing), created: false };
    });
  }

  /** The tenant's oldest document with this content that has not failed, if any. */
  async findByContent(tenantId: TenantId, sha256: string): Promise<DocumentRow | undefined> {
    const row = await this.query(tenantId, (db) =>
      db
        .selectFrom('documents')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('content_sha256', '=', sha256)
        .where('status', '!=', 'failed')
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst(),
    );
    return row && toDocumentRow(row);
  }

  async find(tenant: InTenant, id: string): Promise<DocumentRow | undefined> {
    const row = await this.query(tenant, (db) =>
      db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toDocumentRow(row);
  }

  list(tenantId: TenantId, filter: ListDocumentsRequest) {
    return this.query(tenantId, async (db) => {
      // Naming the tenant (besides row-level security) lets the listing use its index.
      let matching = db.selectFrom('documents').where('tenant_id', '=', tenantId);
      if (filter.status) {
        matching = matching.where('status', '=', filter.status);
      }
      if (filter.type) {
        matching = matching.where('type', '=', filter.type);
      }
      if (filter.source) {
        matching = matching.where('source', '=', filter.source);
      }
      if (filter.tag) {
        matching = matching.where(sql<boolean>`tags @> ARRAY[${filter.tag}]::text[]`);
      }
      return newestDocumentsPage(matching, filter);
    });
  }

  async setTags(tenantId: TenantId, id: string, tags: string[]): Promise<DocumentRow | undefined> {
    const row = await this.query(tenantId, (db) =>
      db
        .updateTable('documents')
        .set({ tags, updated_at: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row && toDocumentRow(row);
  }

  /** Deletes the document; its chunks go with it (foreign key cascade). */
  async delete(tenantId: TenantId, id: string): Promise<DocumentRow | undefined> {
    const row = await this.query(tenantId, (db) =>
      db.deleteFrom('documents').where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row && toDocumentRow(row);
  }

  /** Next version, back to pending; the current chunks stay searchable until it is done. */
  async nextVersion(
    tenantId: TenantId,
    id: string,
    settings: ResolvedRagSettings,
  ): Promise<DocumentRow | undefined> {
    const row = await this.query(tenantId, (db) =>
      db
        .updateTable('documents')
        .set((eb) => ({
          version: eb('version', '+', 1),
          status: 'pending',
          error_code: null,
          error: null,
          settings: JSON.stringify(settings),
          updated_at: sql`now()`,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row && toDocumentRow(row);
  }
}

/** The documents a query matches: one page, newest first, and how many match in all. */
export async function newestDocumentsPage(
  matching: SelectQueryBuilder<Schema, 'documents', object>,
  page: { limit: number; offset: number },
): Promise<{ rows: DocumentRow[]; total: number }> {
  const rows = await matching
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { total } = await matching
    .select(sql<number>`count(*)::int`.as('total'))
    .executeTakeFirstOrThrow();
  return { rows: rows.map(toDocumentRow), total };
}
