import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { conflictOnDuplicate } from '../security/database-errors';

/** One of a tenant's custom domains. */
export interface TenantDomainRow {
  domain: string;
  verified_at: Date | null;
}

const UNIQUE_MESSAGES = {
  tenant_domains_verified: 'a domain is already used by another tenant',
};

/** `tenant_domains`, and the token a tenant proves a domain with. */
@Injectable()
export class DomainRepository {
  async list(db: EntityManager, tenantId: string): Promise<TenantDomainRow[]> {
    return (await db.query(
      `SELECT domain, verified_at FROM tenant_domains WHERE tenant_id = $1 ORDER BY domain`,
      [tenantId],
    )) as TenantDomainRow[];
  }

  async verificationToken(db: EntityManager, tenantId: string): Promise<string | undefined> {
    const rows = (await db.query(`SELECT domain_verification_token FROM tenants WHERE id = $1`, [
      tenantId,
    ])) as { domain_verification_token: string }[];
    return rows[0]?.domain_verification_token;
  }

  /**
   * Makes the tenant's domains exactly these. New ones are pending unless `verified` (the
   * super admin's word); a domain kept keeps its state, or becomes verified with `verified`.
   */
  async replace(
    db: EntityManager,
    tenantId: string,
    domains: string[],
    verified: boolean,
  ): Promise<void> {
    const wanted = [...new Set(domains)];
    await db.query(`DELETE FROM tenant_domains WHERE tenant_id = $1 AND NOT (domain = ANY($2))`, [
      tenantId,
      wanted,
    ]);
    for (const domain of wanted) {
      await conflictOnDuplicate(
        db.query(
          `INSERT INTO tenant_domains (domain, tenant_id, verified_at)
           VALUES ($1, $2, CASE WHEN $3 THEN now() END)
           ON CONFLICT (tenant_id, domain)
           DO UPDATE SET verified_at = COALESCE(tenant_domains.verified_at, EXCLUDED.verified_at)`,
          [domain, tenantId, verified],
        ),
        UNIQUE_MESSAGES,
      );
    }
  }

  async markVerified(db: EntityManager, tenantId: string, domain: string): Promise<void> {
    await conflictOnDuplicate(
      db.query(
        `UPDATE tenant_domains SET verified_at = now()
          WHERE tenant_id = $1 AND domain = $2 AND verified_at IS NULL`,
        [tenantId, domain],
      ),
      UNIQUE_MESSAGES,
    );
  }

  /** Which of these domains another tenant holds verified (only the platform scope sees them). */
  async verifiedElsewhere(
    db: EntityManager,
    tenantId: string | null,
    domains: string[],
  ): Promise<string[]> {
    const rows = (await db.query(
      `SELECT domain FROM tenant_domains
        WHERE domain = ANY($1) AND verified_at IS NOT NULL AND tenant_id IS DISTINCT FROM $2
        ORDER BY domain`,
      [domains, tenantId],
    )) as { domain: string }[];
    return rows.map((row) => row.domain);
  }
}
