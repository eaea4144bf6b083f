import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface OutboxEvent {
  id: string;
  pattern: string;
  payload: object;
}

/**
 * `event_outbox`: events written by the transaction whose change they announce. The table
 * holds no tenant's data (only ids), so it has no row-level security and the relay is one
 * platform-wide reader.
 */
@Injectable()
export class EventOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(db: EntityManager, pattern: string, payload: object): Promise<void> {
    await db.query(`INSERT INTO event_outbox (pattern, payload) VALUES ($1, $2)`, [
      pattern,
      JSON.stringify(payload),
    ]);
  }

  /** Hands the oldest pending events to `publish`, deleting each once it is published. */
  async drain(publish: (event: OutboxEvent) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      const events = (await db.query(
        `SELECT id, pattern, payload FROM event_outbox ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED`,
      )) as OutboxEvent[];
      for (const event of events) {
        await publish(event);
        await db.query(`DELETE FROM event_outbox WHERE id = $1`, [event.id]);
      }
    });
  }
}
