import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  HANDOFF_SETTINGS_EVENTS,
  type HandoffSettings,
  type HandoffSettingsUpdate,
  type TenantId,
} from '@tenantbot/contracts';
import { TenantDatabase } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import type { ChatConfig } from '../config';
import { seesWholeTenant } from '../conversation/conversation.service';
import { TenantSettingsCache } from '../tenant-config/tenant-settings-cache';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import { DEFAULT_HANDOFF_PHRASES } from './handoff-policy';
import { HandoffSettingsRepository } from './handoff-settings.repository';

export const DEFAULT_HANDOFF_SETTINGS: HandoffSettings = {
  phrases: [],
  use_default_phrases: true,
  on_ungrounded: false,
};

/** What every exchange asks of the policy, decided from the settings. */
export interface HandoffPolicy {
  phrases: readonly string[];
  onUngrounded: boolean;
}

/**
 * The tenant's handoff policy: its phrases and whether ungrounded answers hand over. Read on
 * every exchange, so cached per process and forgotten on every replica when it changes
 * (`handoff_settings.changed`, ADR 0041).
 */
@Injectable()
export class HandoffSettingsService implements OnModuleInit {
  private readonly policies: TenantSettingsCache<HandoffPolicy>;

  constructor(
    private readonly database: TenantDatabase,
    private readonly settings: HandoffSettingsRepository,
    transport: RedisStreamsClient,
    @Inject(CHAT_CONFIG) config: ChatConfig,
    @Inject(CHAT_LOGGER) logger: Logger,
  ) {
    this.policies = new TenantSettingsCache(
      transport,
      HANDOFF_SETTINGS_EVENTS.CHANGED,
      config,
      logger,
    );
  }

  onModuleInit(): Promise<void> {
    return this.policies.start();
  }

  async get(caller: Caller): Promise<HandoffSettings> {
    if (caller.visitor || !seesWholeTenant(caller)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'only agents and tenant admins see the policy');
    }
    return (await this.settings.find(caller.tenantId)) ?? DEFAULT_HANDOFF_SETTINGS;
  }

  async update(caller: Caller, update: HandoffSettingsUpdate): Promise<HandoffSettings> {
    if (caller.role !== 'tenant_admin' && caller.role !== 'super_admin') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'only tenant admins set the handoff policy');
    }
    const saved = await this.database.transaction(caller.tenantId, async (tx) => {
      const current = (await this.settings.find(tx)) ?? DEFAULT_HANDOFF_SETTINGS;
      return this.settings.save(tx, { ...current, ...update });
    });
    await this.policies.changed(caller.tenantId);
    return saved;
  }

  policyFor(tenantId: TenantId): Promise<HandoffPolicy> {
    return this.policies.get(tenantId, 'policy', async () => {
      const settings = (await this.settings.find(tenantId)) ?? DEFAULT_HANDOFF_SETTINGS;
      return {
        phrases: [
          ...(settings.use_default_phrases ? DEFAULT_HANDOFF_PHRASES : []),
          ...settings.phrases,
        ],
        onUngrounded: settings.on_ungrounded,
      };
    });
  }
}
