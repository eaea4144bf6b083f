import { Injectable } from '@nestjs/common';

import { DOCUMENT_TYPES, type PlatformDocumentsQuery, tenantIdOf } from '@tenantbot/contracts';
import { type AcrossTenants, containsPattern, TenantScopedRepository } from '@tenantbot/database';

import { type DocumentRow, newestDocumentsPage } from '../documents/documents.repository';

/** Every tenant's documents, for the super admin: only the platform scope reaches them. */
@Injectable()
export class PlatformDocumentsRepository extends TenantScopedRepository {
  list(
    platform: AcrossTenants,
    filter: PlatformDocumentsQuery,
  ): Promise<{ rows: DocumentRow[]; total: number }> {
    return this.query(platform, async (db) => {
      let matching = db.selectFrom('documents');
      if (filter.tenant_id) {
        matching = matching.where('tenant_id', '=', tenantIdOf(filter.tenant_id));
      }
      if (filter.status) {
        matching = matching.where('status', '=', filter.status);
      }
      if (filter.kind) {
        matching = (DOCUMENT_TYPES as readonly string[]).includes(filter.kind)
          ? matching.where('type', '=', filter.kind)
          : matching.where('source', '=', filter.kind);
      }
      if (filter.q) {
        const pattern = containsPattern(filter.q);
        matching = matching.where((eb) =>
          eb.or([
            eb('filename', 'ilike', pattern),
            eb('title', 'ilike', pattern),
            eb('url', 'ilike', pattern),
          ]),
        );
      }
      return newestDocumentsPage(matching, filter);
    });
  }
}
