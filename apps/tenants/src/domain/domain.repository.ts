import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { TenantId } from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Row,
  type ScopedTransaction,
  TenantScopedRepository,
} from '@tenantbot/database';

import { conflictOnDuplicate } from '../security/database-errors';

/** One of a tenant's custom domains. */
export type TenantDomainRecord = Pick<Row<'tenant_domains'>, 'domain' | 'verified_at'>;

const UNIQUE_MESSAGES = {
  tenant_domains_verified: 'a domain is already used by another tenant',
};

/** `tenant_domains`, and the token a tenant proves a domain with. */
@Injectable()
export class DomainRepository extends TenantScopedRepository {
  list(tenant: InTenant): Promise<TenantDomainRecord[]> {
    return this.query(tenant, (db) =>
      db
        .selectFrom('tenant_domains')
        .select(['domain', 'verified_at'])
        .where('tenant_id', '=', tenantOf(tenant))
        .orderBy('domain')
        .execute(),
    );
  }

  async verificationToken(tenant: InTenant): Promise<string | undefined> {
    const row = await this.query(tenant, (db) =>
      db
        .selectFrom('tenants')
        .select('domain_verification_token')
        .where('id', '=', tenantOf(tenant))
        .executeTakeFirst(),
    );
    return row?.domain_verification_token;
  }

  /**
   * Makes the tenant's domains exactly these. New ones are pending unless `verified` (the
   * super admin's word); a domain kept keeps its state, or becomes verified with `verified`.
   */
  async replace(tx: ScopedTransaction, domains: string[], verified: boolean): Promise<void> {
    const wanted = [...new Set(domains)];
    await this.query(tx, async (db) => {
      let removal = db.deleteFrom('tenant_domains').where('tenant_id', '=', tx.tenantId);
      if (wanted.length > 0) {
        removal = removal.where('domain', 'not in', wanted);
      }
      await removal.execute();
      for (const domain of wanted) {
        await conflictOnDuplicate(
          db
            .insertInto('tenant_domains')
            .values({ domain, tenant_id: tx.tenantId, verified_at: verified ? sql`now()` : null })
            .onConflict((conflict) =>
              conflict.columns(['tenant_id', 'domain']).doUpdateSet({
                verified_at: sql`COALESCE(tenant_domains.verified_at, excluded.verified_at)`,
              }),
            )
            .execute(),
          UNIQUE_MESSAGES,
        );
      }
    });
  }

  async markVerified(tenant: InTenant, domain: string): Promise<void> {
    await this.query(tenant, (db) =>
      conflictOnDuplicate(
        db
          .updateTable('tenant_domains')
          .set({ verified_at: sql`now()` })
          .where('tenant_id', '=', tenantOf(tenant))
          .where('domain', '=', domain)
          .where('verified_at', 'is', null)
          .execute(),
        UNIQUE_MESSAGES,
      ),
    );
  }

  /** Which of these domains another tenant holds verified: only the platform sees them. */
  async verifiedElsewhere(
    platform: AcrossTenants,
    tenantId: TenantId | null,
    domains: string[],
  ): Promise<string[]> {
    const rows = await this.query(platform, (db) =>
      db
        .selectFrom('tenant_domains')
        .select('domain')
        .where('domain', 'in', domains)
        .where('verified_at', 'is not', null)
        .where('tenant_id', 'is distinct from', tenantId)
        .orderBy('domain')
        .execute(),
    );
    return rows.map((row) => row.domain);
  }
}

function tenantOf(tenant: InTenant): TenantId {
  return typeof tenant === 'string' ? tenant : tenant.tenantId;
}
