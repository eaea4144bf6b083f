import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import {
  ACCESS_EVENTS,
  accessChangedEventSchema,
  type Caller,
  DomainError,
  ErrorCode,
  type TenantRuntimeConfig,
  TENANTS,
} from '@tenantbot/contracts';
import { BroadcastEvictedCache, RedisStreamsClient } from '@tenantbot/transport';

import type { ChatConfig } from '../config';
import { CHAT_CONFIG } from '../tokens';

/**
 * The caller's tenant's settings, from the tenants service (provider keys in clear), cached
 * per process until the tenant changes (its `access.changed` broadcast) or
 * `ACCESS_CACHE_TTL_MS` passes (ADR caller cache).
 */
@Injectable()
export class TenantConfigService implements OnModuleInit {
  private readonly configurations: BroadcastEvictedCache<TenantRuntimeConfig>;

  constructor(
    private readonly transport: RedisStreamsClient,
    @Inject(CHAT_CONFIG) config: ChatConfig,
  ) {
    this.configurations = new BroadcastEvictedCache<TenantRuntimeConfig>(transport, {
      pattern: ACCESS_EVENTS.CHANGED,
      ttlMs: config.ACCESS_CACHE_TTL_MS,
      maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
      isStale: (tenant, event) => changedTenantOf(event) === tenant.id,
    });
  }

  onModuleInit(): Promise<void> {
    return this.configurations.start();
  }

  /** TENANT_INACTIVE for a deactivated tenant: nothing of it may run. */
  async runtimeConfig(caller: Caller): Promise<TenantRuntimeConfig> {
    const tenant = await this.configurations.get(caller.tenantId, () =>
      this.transport.request(TENANTS.TENANT_RUNTIME_CONFIG, {}),
    );
    if (!tenant.is_active) {
      throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
    }
    return tenant;
  }
}

/** The tenant an `access.changed` broadcast says changed as a whole, if it says so. */
function changedTenantOf(event: unknown): string | undefined {
  const change = accessChangedEventSchema.safeParse(event);
  return change.success && change.data.kind === 'tenant' ? change.data.tenantId : undefined;
}
