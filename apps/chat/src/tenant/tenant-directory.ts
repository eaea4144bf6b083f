import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ACCESS_EVENTS,
  DomainError,
  ErrorCode,
  TENANTS,
  type AccessChangedEvent,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';
import { BroadcastEvictedCache, RedisStreamsClient } from '@tenantbot/transport';
import { CHAT_CONFIG } from '../tokens';
import type { ChatConfig } from '../config';

/**
 * The settings of the tenant in context, from the tenants service (provider keys in clear),
 * cached per process until the tenant changes (its `access.changed` broadcast) or
 * `ACCESS_CACHE_TTL_MS` passes (ADR caller cache).
 */
@Injectable()
export class TenantDirectory implements OnModuleInit {
  private readonly configurations: BroadcastEvictedCache<TenantRuntimeConfig>;

  constructor(
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
    @Inject(CHAT_CONFIG) config: ChatConfig,
  ) {
    this.configurations = new BroadcastEvictedCache<TenantRuntimeConfig>(transport, {
      pattern: ACCESS_EVENTS.CHANGED,
      ttlMs: config.ACCESS_CACHE_TTL_MS,
      maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
      isStale: (tenant, event) => {
        const change = event as AccessChangedEvent;
        return change.kind === 'tenant' && change.tenantId === tenant.id;
      },
    });
  }

  onModuleInit(): Promise<void> {
    return this.configurations.start();
  }

  async current(): Promise<TenantRuntimeConfig> {
    const tenantId = currentContext()?.tenantId;
    if (!tenantId) throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant');
    const tenant = await this.configurations.get(tenantId, () =>
      this.transport.request<TenantRuntimeConfig>(TENANTS.TENANT_RUNTIME_CONFIG, {}),
    );
    if (!tenant.is_active) {
      throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
    }
    return tenant;
  }
}
