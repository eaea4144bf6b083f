import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import { ASSISTANT_EVENTS, type TenantId } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import type { ChatConfig } from '../config';
import { TenantSettingsCache } from '../tenant-config/tenant-settings-cache';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import type { AssistantRow } from './assistant.repository';

/**
 * The assistant rows an exchange without a conversation chooses from (the tenant's default,
 * and the one asked for), cached per process and forgotten on every replica when the tenant's
 * assistants change (ADR 0041). A list without the default (a tenant's first exchange, which
 * creates it) is never cached.
 */
@Injectable()
export class AssistantChoices implements OnModuleInit {
  private readonly cache: TenantSettingsCache<AssistantRow[]>;

  constructor(
    transport: RedisStreamsClient,
    @Inject(CHAT_CONFIG) config: ChatConfig,
    @Inject(CHAT_LOGGER) logger: Logger,
  ) {
    this.cache = new TenantSettingsCache(transport, ASSISTANT_EVENTS.CHANGED, config, logger);
  }

  onModuleInit(): Promise<void> {
    return this.cache.start();
  }

  /** The candidates for (tenant, assistant asked for or none), cached, else `load`ed. */
  candidates(
    tenantId: TenantId,
    requested: string | undefined,
    load: () => Promise<AssistantRow[]>,
  ): Promise<AssistantRow[]> {
    return this.cache.get(tenantId, requested ?? '', load, (rows) =>
      rows.some((row) => row.is_default),
    );
  }

  /** After a change of the tenant's assistants committed. */
  changed(tenantId: TenantId): Promise<void> {
    return this.cache.changed(tenantId);
  }
}
