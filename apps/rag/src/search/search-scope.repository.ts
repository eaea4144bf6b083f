import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { SearchRequest, TenantId } from '@tenantbot/contracts';
import { TenantScopedRepository } from '@tenantbot/database';

/**
 * Which documents a search may rank: those listed, and those carrying any of the tags. Tags
 * live on the document row only (not in the vectors' metadata), so retagging a document
 * re-indexes nothing; the search passes the ids found here to both rankings.
 */
@Injectable()
export class SearchScopeRepository extends TenantScopedRepository {
  /** Undefined: every document of the tenant. An empty list: none. */
  async documentIds(
    tenantId: TenantId,
    request: Pick<SearchRequest, 'document_ids' | 'tags'>,
  ): Promise<string[] | undefined> {
    const { document_ids: listed, tags } = request;
    if (tags === undefined) {
      return listed;
    }
    if (tags.length === 0) {
      return listed ?? [];
    }
    const tagged = await this.statement(tenantId, (db) =>
      db
        .selectFrom('documents')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`tags && ${tags}::text[]`),
    );
    return [...new Set([...(listed ?? []), ...tagged.map((row) => row.id)])];
  }
}
