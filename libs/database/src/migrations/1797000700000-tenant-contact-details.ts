import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A company's public contact details (seed 002: email, phone, website, logo), written by its
 * admin in the console and validated by the contracts; all optional.
 */
export class TenantContactDetails1797000700000 implements MigrationInterface {
  name = 'TenantContactDetails1797000700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE tenants
        ADD COLUMN email text,
        ADD COLUMN phone text,
        ADD COLUMN website text,
        ADD COLUMN logo_url text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE tenants
        DROP COLUMN logo_url,
        DROP COLUMN website,
        DROP COLUMN phone,
        DROP COLUMN email`);
  }
}
