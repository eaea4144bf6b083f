import { Injectable } from '@nestjs/common';

import {
  DomainError,
  ErrorCode,
  type PlatformCaller,
  type PlatformDocumentRow,
  type PlatformDocumentsQuery,
  type RAG,
  type ReplyOf,
} from '@tenantbot/contracts';
import { PlatformScope } from '@tenantbot/database';

import type { DocumentRow } from '../documents/documents.repository';
import { PlatformDocumentsRepository } from './platform-documents.repository';

/**
 * The super admin's "all documents" view. A tenant's callers never reach the platform scope:
 * the role is checked before any query, whatever the gateway checked already.
 */
@Injectable()
export class PlatformDocumentsService {
  constructor(
    private readonly repository: PlatformDocumentsRepository,
    private readonly platform: PlatformScope,
  ) {}

  async list(
    caller: PlatformCaller,
    query: PlatformDocumentsQuery,
  ): Promise<ReplyOf<typeof RAG.PLATFORM_DOCUMENTS>> {
    if (caller.role !== 'super_admin') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'requires super_admin');
    }
    const { rows, total } = await this.repository.list(this.platform, query);
    return {
      items: rows.map(toPlatformDocumentRow),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }
}

export function toPlatformDocumentRow(row: DocumentRow): PlatformDocumentRow {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    source: row.source,
    type: row.type,
    filename: row.filename,
    title: row.title,
    url: row.url,
    status: row.status,
    error: row.error_code ? { code: row.error_code, message: row.error ?? '' } : null,
    chunk_count: row.chunk_count,
    bytes: row.bytes === null ? null : Number(row.bytes),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    processed_at: row.processed_at?.toISOString() ?? null,
  };
}
