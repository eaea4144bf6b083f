import { Inject, Injectable } from '@nestjs/common';

import {
  type Caller,
  LOCAL_MODEL,
  type ModelsReply,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';

import type { ChatConfig } from '../config';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
import { CHAT_CONFIG } from '../tokens';
import { ModelPolicy, type PlatformModelSettings } from './model-policy';

/** The models a tenant may use, and the policy that picks one for an exchange. */
@Injectable()
export class ModelsService {
  private readonly platform: PlatformModelSettings;

  constructor(
    private readonly tenants: TenantConfigService,
    @Inject(CHAT_CONFIG) config: ChatConfig,
  ) {
    this.platform = platformModelSettings(config);
  }

  /** Any authenticated caller of the tenant may see its models. */
  async catalog(caller: Caller): Promise<ModelsReply> {
    return this.policyFor(await this.tenants.runtimeConfig(caller)).catalog();
  }

  policyFor(tenant: TenantRuntimeConfig): ModelPolicy {
    return new ModelPolicy(tenant, this.platform);
  }
}

export function platformModelSettings(config: ChatConfig): PlatformModelSettings {
  return {
    catalog: config.modelCatalog,
    keys: { openai: config.OPENAI_API_KEY, anthropic: config.ANTHROPIC_API_KEY },
    providerModels: {
      openai: config.OPENAI_CHAT_MODEL,
      anthropic: config.ANTHROPIC_CHAT_MODEL,
      local: LOCAL_MODEL,
    },
    defaultModel: config.CHAT_DEFAULT_MODEL,
    fallbackChain: config.CHAT_FALLBACK_CHAIN,
  };
}
