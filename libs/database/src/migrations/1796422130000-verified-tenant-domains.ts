import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom domains resolve a request's tenant only once verified (a DNS TXT record
 * `_tenantbot.<domain>` holding the tenant's token, or set by the super admin). Several
 * tenants may claim a domain while it is pending, so nobody can squat one; only one may hold
 * it verified. Domains stored before this migration were never proven: they stay, pending,
 * and stop resolving until verified (ADR "tenant and auth hardening").
 */
export class VerifiedTenantDomains1796422130000 implements MigrationInterface {
  name = 'VerifiedTenantDomains1796422130000';

  async up(db: QueryRunner): Promise<void> {
    // Volatile default: every existing tenant gets a token of its own.
    await db.query(`
      ALTER TABLE tenants
        ADD COLUMN domain_verification_token text NOT NULL
          DEFAULT encode(gen_random_bytes(16), 'hex')`);
    await db.query(`ALTER TABLE tenant_domains ADD COLUMN verified_at timestamptz`);
    await db.query(`ALTER TABLE tenant_domains DROP CONSTRAINT tenant_domains_pkey`);
    await db.query(`ALTER TABLE tenant_domains ADD PRIMARY KEY (tenant_id, domain)`);
    await db.query(
      `CREATE UNIQUE INDEX tenant_domains_verified ON tenant_domains (domain) WHERE verified_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX tenant_domains_verified`);
    // Back to one tenant per domain: a verified claim wins over pending ones.
    await db.query(`
      DELETE FROM tenant_domains claim
       USING (SELECT domain, tenant_id,
                     row_number() OVER (PARTITION BY domain ORDER BY verified_at IS NULL, tenant_id) AS rank
                FROM tenant_domains) ranked
       WHERE ranked.domain = claim.domain AND ranked.tenant_id = claim.tenant_id AND ranked.rank > 1`);
    await db.query(`ALTER TABLE tenant_domains DROP CONSTRAINT tenant_domains_pkey`);
    await db.query(`ALTER TABLE tenant_domains ADD PRIMARY KEY (domain)`);
    await db.query(`ALTER TABLE tenant_domains DROP COLUMN verified_at`);
    await db.query(`ALTER TABLE tenants DROP COLUMN domain_verification_token`);
  }
}
