import { Injectable } from '@nestjs/common';
import type {
  DocumentSource,
  DocumentStatus,
  DocumentType,
  ListDocumentsRequest,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import type { TenantId } from '@tenantbot/contracts';
import type { ResolvedRagSettings } from '../common/rag-settings';
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

@Injectable()
export class DocumentsRepository extends TenantScopedRepository {
  constructor(scope: TenantScope) {
    super(scope);
  }

  /**
   * Inserts the document. An id that already exists (a retried create) is not inserted again:
   * the existing row comes back with `created: false`, or no row when another tenant owns it.
   */
  insert(tenantId: TenantId, document: NewDocument) {
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

  find(tenantId: TenantId, id: string): Promise<DocumentRow | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<DocumentRow>(`SELECT * FROM documents WHERE id = $1`, [id]),
    );
  }

  list(tenantId: TenantId, filter: ListDocumentsRequest) {
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
  delete(tenantId: TenantId, id: string): Promise<DocumentRow | undefined> {
    return this.inTenant(tenantId, (tx) =>
      tx.one<DocumentRow>(`DELETE FROM documents WHERE id = $1 RETURNING *`, [id]),
    );
  }

  /** Next version, back to pending; the current chunks stay searchable until it is done. */
  nextVersion(
    tenantId: TenantId,
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
}
