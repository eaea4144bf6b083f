import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, QueryRunner } from 'typeorm';

import { createDataSource } from '../../src';
import { VerifiedTenantDomains1796422130000 } from '../../src/migrations/1796422130000-verified-tenant-domains';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/**
 * The upgrade of a database whose domains predate verification, replayed inside one
 * transaction that is rolled back: down to the old shape, rows as they were, up again.
 */
describe('migration VerifiedTenantDomains', () => {
  let owner: DataSource;
  let runner: QueryRunner;
  const migration = new VerifiedTenantDomains1796422130000();

  beforeAll(async () => {
    owner = await createDataSource({ url: ownerUrl, poolSize: 1 }).initialize();
    runner = owner.createQueryRunner();
    await runner.startTransaction();
  });

  afterAll(async () => {
    await runner?.rollbackTransaction();
    await runner?.release();
    await owner?.destroy();
  });

  it('keeps existing domains but leaves them pending, and gives every tenant its own token', async () => {
    await migration.down(runner);
    const tenants = (await runner.query(
      `INSERT INTO tenants (name, slug) VALUES ('Old A', 'mig-old-a'), ('Old B', 'mig-old-b') RETURNING id`,
    )) as { id: string }[];
    await runner.query(
      `INSERT INTO tenant_domains (domain, tenant_id) VALUES ('old-a.example.com', $1), ('old-b.example.com', $2)`,
      tenants.map((tenant) => tenant.id),
    );

    await migration.up(runner);

    const domains = await runner.query(
      `SELECT domain, verified_at FROM tenant_domains WHERE tenant_id = ANY($1) ORDER BY domain`,
      [tenants.map((tenant) => tenant.id)],
    );
    expect(domains).toEqual([
      { domain: 'old-a.example.com', verified_at: null },
      { domain: 'old-b.example.com', verified_at: null },
    ]);
    const tokens = (await runner.query(
      `SELECT domain_verification_token AS token FROM tenants WHERE id = ANY($1)`,
      [tenants.map((tenant) => tenant.id)],
    )) as { token: string }[];
    expect(tokens.map((row) => row.token)).toEqual([
      expect.stringMatching(/^[0-9a-f]{32}$/),
      expect.stringMatching(/^[0-9a-f]{32}$/),
    ]);
    expect(tokens[0].token).not.toBe(tokens[1].token);
  });

  it('lets two tenants claim one domain pending, but only one hold it verified', async () => {
    const [a, b] = (await runner.query(
      `SELECT id FROM tenants WHERE slug IN ('mig-old-a', 'mig-old-b') ORDER BY slug`,
    )) as { id: string }[];
    await runner.query(
      `INSERT INTO tenant_domains (domain, tenant_id) VALUES ('shared.example.com', $1), ('shared.example.com', $2)`,
      [a.id, b.id],
    );
    await runner.query(
      `UPDATE tenant_domains SET verified_at = now() WHERE domain = 'shared.example.com' AND tenant_id = $1`,
      [a.id],
    );
    await runner.query('SAVEPOINT second_verification');
    await expect(
      runner.query(
        `UPDATE tenant_domains SET verified_at = now() WHERE domain = 'shared.example.com' AND tenant_id = $1`,
        [b.id],
      ),
    ).rejects.toThrow(/tenant_domains_verified/);
    await runner.query('ROLLBACK TO SAVEPOINT second_verification');
  });
});
