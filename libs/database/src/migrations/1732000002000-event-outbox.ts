import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events written in the same transaction as the change they announce, and published after
 * it commits: a crash between the two delays an event, never loses it.
 */
export class EventOutbox1732000002000 implements MigrationInterface {
  name = 'EventOutbox1732000002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE event_outbox (
        id bigserial PRIMARY KEY,
        pattern text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE event_outbox`);
  }
}
