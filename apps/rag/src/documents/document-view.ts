import type { DocumentView } from '@tenantbot/contracts';

import type { DocumentRow } from './documents.repository';

export function toDocumentView(row: DocumentRow): DocumentView {
  return {
    id: row.id,
    source: row.source,
    type: row.type,
    filename: row.filename,
    url: row.url,
    title: row.title,
    content_type: row.content_type,
    status: row.status,
    error: row.error_code ? { code: row.error_code, message: row.error ?? '' } : null,
    pages: row.pages,
    chunk_count: row.chunk_count,
    bytes: row.bytes === null ? null : Number(row.bytes),
    version: row.version,
    embedding_model: row.embedding_model,
    tags: row.tags,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    processed_at: row.processed_at?.toISOString() ?? null,
  };
}
