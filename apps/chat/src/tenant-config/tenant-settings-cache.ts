import {
  type ASSISTANT_EVENTS,
  type HANDOFF_SETTINGS_EVENTS,
  type TenantId,
  tenantSettingsChangedEventSchema,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { BroadcastEvictedCache, RedisStreamsClient } from '@tenantbot/transport';

import type { ChatConfig } from '../config';

/** The broadcasts that say a tenant's settings of one kind changed. */
type SettingsPattern =
  (typeof ASSISTANT_EVENTS)['CHANGED'] | (typeof HANDOFF_SETTINGS_EVENTS)['CHANGED'];

interface Entry<V> {
  tenantId: string;
  value: V;
}

/**
 * A per-process cache of settings a tenant admin edits through the chat service (its
 * assistants, its handoff policy), read by every exchange (ADR 0041). The replica that commits
 * a change calls `changed`: it forgets the tenant's entries at once and broadcasts `pattern`,
 * on which every other replica forgets them. `ACCESS_CACHE_TTL_MS` bounds an entry's life
 * should a broadcast be lost; nothing is stored while broadcasts are not heard
 * (`BroadcastEvictedCache`).
 */
export class TenantSettingsCache<V> {
  private readonly cache: BroadcastEvictedCache<Entry<V>>;

  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly pattern: SettingsPattern,
    config: Pick<ChatConfig, 'ACCESS_CACHE_TTL_MS' | 'ACCESS_CACHE_MAX_ENTRIES'>,
    private readonly logger: Logger,
  ) {
    this.cache = new BroadcastEvictedCache<Entry<V>>(transport, {
      pattern,
      ttlMs: config.ACCESS_CACHE_TTL_MS,
      maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
      isStale: (entry, event) => changedTenantOf(event) === entry.tenantId,
    });
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  /**
   * The tenant's value under `key` (tenant included by this cache), cached, else `load`ed;
   * `cacheable` false leaves a loaded value out of the cache.
   */
  async get(
    tenantId: TenantId,
    key: string,
    load: () => Promise<V>,
    cacheable: (value: V) => boolean = () => true,
  ): Promise<V> {
    const entry = await this.cache.get(
      `${tenantId}\0${key}`,
      async () => ({ tenantId, value: await load() }),
      ({ value }) => (cacheable(value) ? Infinity : 0),
    );
    return entry.value;
  }

  /** After a change of the tenant's settings committed: here at once, elsewhere by broadcast. */
  async changed(tenantId: TenantId): Promise<void> {
    const event = { tenantId };
    this.cache.evict(event);
    try {
      await this.transport.broadcast(this.pattern, event);
    } catch (error) {
      // The change stands; other replicas' entries expire within the TTL.
      this.logger.warn(
        { err: error, tenantId, pattern: this.pattern },
        'announcing a change failed',
      );
    }
  }
}

function changedTenantOf(event: unknown): string | undefined {
  const change = tenantSettingsChangedEventSchema.safeParse(event);
  return change.success ? change.data.tenantId : undefined;
}
