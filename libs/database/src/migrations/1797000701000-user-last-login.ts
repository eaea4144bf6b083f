import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a user last signed in with a password (seed 002's agents list shows it to the platform
 * owner); null until the first login. A refreshed session does not change it.
 */
export class UserLastLogin1797000701000 implements MigrationInterface {
  name = 'UserLastLogin1797000701000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN last_login_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN last_login_at`);
  }
}
