import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { lastValueFrom } from 'rxjs';

import { PlatformScope, type ScopedTransaction } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import { LOGGER } from '../tokens';
import { EventOutboxRepository } from './event-outbox.repository';

const RELAY_INTERVAL_MS = 5000;

/** Publishes events recorded in `event_outbox` by committed transactions. */
@Injectable()
export class EventOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: EventOutboxRepository,
    private readonly platform: PlatformScope,
    private readonly transport: RedisStreamsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records an event inside the unit of work whose change it announces. */
  record(tx: ScopedTransaction, pattern: string, payload: object): Promise<void> {
    return this.events.record(tx, pattern, payload);
  }

  /** Publishes what is pending, of every tenant; rows are deleted only once published. */
  relay(): Promise<void> {
    return this.events.drain(this.platform, async (event) => {
      await lastValueFrom(this.transport.emit(event.pattern, event.payload), {
        defaultValue: undefined,
      });
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
