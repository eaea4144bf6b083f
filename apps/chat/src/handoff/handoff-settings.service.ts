import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

import {
  type Caller,
  DomainError,
  ErrorCode,
  type HandoffSettings,
  type HandoffSettingsUpdate,
  type TenantId,
} from '@tenantbot/contracts';
import { TenantDatabase } from '@tenantbot/database';

import { seesWholeTenant } from '../conversation/conversation.service';
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

/** How long a replica may answer with a tenant's policy after another replica changed it. */
const POLICY_TTL_MS = 5_000;

/**
 * The tenant's handoff policy: its phrases and whether ungrounded answers hand over. Read on
 * every exchange, so cached per process for a few seconds (the replica that saved a change
 * forgets its copy at once).
 */
@Injectable()
export class HandoffSettingsService {
  private readonly policies = new LRUCache<string, HandoffPolicy>({
    max: 10_000,
    ttl: POLICY_TTL_MS,
  });

  constructor(
    private readonly database: TenantDatabase,
    private readonly settings: HandoffSettingsRepository,
  ) {}

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
    this.policies.delete(caller.tenantId);
    return saved;
  }

  async policyFor(tenantId: TenantId): Promise<HandoffPolicy> {
    const cached = this.policies.get(tenantId);
    if (cached) {
      return cached;
    }
    const settings = (await this.settings.find(tenantId)) ?? DEFAULT_HANDOFF_SETTINGS;
    const policy = {
      phrases: [
        ...(settings.use_default_phrases ? DEFAULT_HANDOFF_PHRASES : []),
        ...settings.phrases,
      ],
      onUngrounded: settings.on_ungrounded,
    };
    this.policies.set(tenantId, policy);
    return policy;
  }
}
