import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import { type AcrossTenants, type InTenant, TenantScopedRepository } from '@tenantbot/database';

export interface DocumentCounts {
  byStatus: { status: string; n: number }[];
  chunks: number;
}

/** Counts of documents and chunks of one tenant, or of the platform. */
@Injectable()
export class StatsRepository extends TenantScopedRepository {
  counts(scope: InTenant | AcrossTenants): Promise<DocumentCounts> {
    return this.query(scope, async (db) => {
      const byStatus = await db
        .selectFrom('documents')
        .select(['status', sql<number>`count(*)::int`.as('n')])
        .groupBy('status')
        .execute();
      const { chunks } = await db
        .selectFrom('chunks')
        .select(sql<number>`count(*)::int`.as('chunks'))
        .executeTakeFirstOrThrow();
      return { byStatus, chunks };
    });
  }
}
