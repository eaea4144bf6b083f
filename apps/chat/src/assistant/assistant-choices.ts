import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import {
  ASSISTANT_EVENTS,
  type AssistantsChangedEvent,
  assistantsChangedEventSchema,
  type TenantId,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { BroadcastEvictedCache, RedisStreamsClient } from '@tenantbot/transport';

import type { ChatConfig } from '../config';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import type { AssistantRow } from './assistant.repository';

/** The assistants an exchange chooses from: the tenant's default, and the one asked for. */
interface Candidates {
  tenantId: string;
  rows: AssistantRow[];
}

/**
 * The assistant rows an exchange without a conversation chooses from, cached per process
 * (ADR 0041): every exchange reads them, and they change only when a tenant admin edits its
 * assistants. The replica that commits a change forgets the tenant's entries at once and
 * broadcasts `assistants.changed`, which every other replica hears; the TTL
 * (`ACCESS_CACHE_TTL_MS`) covers a lost broadcast, and nothing is cached while broadcasts are
 * not heard (`BroadcastEvictedCache`). A list without the default (a tenant's first exchange,
 * which creates it) is never cached.
 */
@Injectable()
export class AssistantChoices implements OnModuleInit {
  private readonly cache: BroadcastEvictedCache<Candidates>;

  constructor(
    private readonly transport: RedisStreamsClient,
    @Inject(CHAT_CONFIG) config: ChatConfig,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {
    this.cache = new BroadcastEvictedCache<Candidates>(transport, {
      pattern: ASSISTANT_EVENTS.CHANGED,
      ttlMs: config.ACCESS_CACHE_TTL_MS,
      maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
      isStale: (candidates, event) => changedTenantOf(event) === candidates.tenantId,
    });
  }

  onModuleInit(): Promise<void> {
    return this.cache.start();
  }

  /** The candidates for (tenant, assistant asked for or none), cached, else `load`ed. */
  async candidates(
    tenantId: TenantId,
    requested: string | undefined,
    load: () => Promise<AssistantRow[]>,
  ): Promise<AssistantRow[]> {
    const cached = await this.cache.get(
      `${tenantId}\0${requested ?? ''}`,
      async () => ({ tenantId, rows: await load() }),
      ({ rows }) => (rows.some((row) => row.is_default) ? Infinity : 0),
    );
    return cached.rows;
  }

  /** After a change of the tenant's assistants committed: here at once, elsewhere by broadcast. */
  async changed(tenantId: TenantId): Promise<void> {
    const event: AssistantsChangedEvent = { tenantId };
    this.cache.evict(event);
    try {
      await this.transport.broadcast(ASSISTANT_EVENTS.CHANGED, event);
    } catch (error) {
      // The change stands; other replicas' entries expire within the TTL.
      this.logger.warn({ err: error, tenantId }, 'announcing an assistant change failed');
    }
  }
}

function changedTenantOf(event: unknown): string | undefined {
  const change = assistantsChangedEventSchema.safeParse(event);
  return change.success ? change.data.tenantId : undefined;
}
