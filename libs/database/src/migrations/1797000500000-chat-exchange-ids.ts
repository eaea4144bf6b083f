import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each exchange's two messages carry the exchange's id, derived from the transport request
 * that asked for it: a request delivered again (its replica died between the commit and the
 * reply) writes nothing the second time and answers with the stored exchange. Rows from
 * before have none.
 */
export class ChatExchangeIds1797000500000 implements MigrationInterface {
  name = 'ChatExchangeIds1797000500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages ADD COLUMN exchange_id uuid`);
    await db.query(
      `CREATE UNIQUE INDEX messages_of_exchange ON messages (tenant_id, exchange_id, role)
        WHERE exchange_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX messages_of_exchange`);
    await db.query(`ALTER TABLE messages DROP COLUMN exchange_id`);
  }
}
