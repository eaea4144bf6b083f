import { Injectable } from '@nestjs/common';

import {
  type PlatformScope,
  type Row,
  type ScopedTransaction,
  TenantScopedRepository,
} from '@tenantbot/database';

export type OutboxEvent = Pick<Row<'event_outbox'>, 'id' | 'pattern' | 'payload'>;

/**
 * `event_outbox`: events written by the transaction whose change they announce. The table
 * holds no tenant's data (only ids) and has no row-level security; its relay is one reader
 * for the whole platform.
 */
@Injectable()
export class EventOutboxRepository extends TenantScopedRepository {
  async record(tx: ScopedTransaction, pattern: string, payload: object): Promise<void> {
    await this.query(tx, (db) =>
      db
        .insertInto('event_outbox')
        .values({ pattern, payload: JSON.stringify(payload) })
        .execute(),
    );
  }

  /** Hands the oldest pending events to `publish`, deleting each once it is published. */
  drain(platform: PlatformScope, publish: (event: OutboxEvent) => Promise<void>): Promise<void> {
    return platform.transaction((tx) =>
      this.query(tx, async (db) => {
        const events = await db
          .selectFrom('event_outbox')
          .select(['id', 'pattern', 'payload'])
          .orderBy('id')
          .limit(100)
          .forUpdate()
          .skipLocked()
          .execute();
        for (const event of events) {
          await publish(event);
          await db.deleteFrom('event_outbox').where('id', '=', event.id).execute();
        }
      }),
    );
  }
}
