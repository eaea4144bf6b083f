import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';
import { lastValueFrom } from 'rxjs';
import { DataSource, type EntityManager } from 'typeorm';
import { LOGGER } from '../tokens';

const RELAY_INTERVAL_MS = 5000;

/** Publishes events recorded in `event_outbox` by committed transactions. */
@Injectable()
export class EventOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records an event inside the caller's transaction. */
  async record(db: EntityManager, pattern: string, payload: object): Promise<void> {
    await db.query(`INSERT INTO event_outbox (pattern, payload) VALUES ($1, $2)`, [
      pattern,
      JSON.stringify(payload),
    ]);
  }

  /** Publishes what is pending; rows are deleted only once published. */
  async relay(): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      const events = (await db.query(
        `SELECT id, pattern, payload FROM event_outbox ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED`,
      )) as { id: string; pattern: string; payload: object }[];
      for (const event of events) {
        await lastValueFrom(this.transport.emit(event.pattern, event.payload), {
          defaultValue: undefined,
        });
        await db.query(`DELETE FROM event_outbox WHERE id = $1`, [event.id]);
      }
    });
  }

  relaySoon(): void {
    this.relay().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'relaying events failed; will retry'),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.relaySoon(), RELAY_INTERVAL_MS);
    this.timer.unref();
    this.relaySoon();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
