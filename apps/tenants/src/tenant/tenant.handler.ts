import { Controller } from '@nestjs/common';

import {
  type Page,
  type ParsedRequestOf,
  type PlatformCaller,
  type TenantId,
  type TenantRuntimeConfig,
  TENANTS,
  type TenantView,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { ActingTenant } from '../security/caller';
import { TenantService } from './tenant.service';

/** `me` names the caller's own tenant where an id is expected. */
const OWN_TENANT = 'me';

@Controller()
export class TenantHandler {
  constructor(private readonly tenants: TenantService) {}

  @Handles(TENANTS.TENANT_LIST)
  list(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.TENANT_LIST) page: ParsedRequestOf<typeof TENANTS.TENANT_LIST>,
  ): Promise<Page<TenantView>> {
    return this.tenants.list(caller, page);
  }

  @Handles(TENANTS.TENANT_CREATE)
  create(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.TENANT_CREATE) body: ParsedRequestOf<typeof TENANTS.TENANT_CREATE>,
  ): Promise<TenantView> {
    return this.tenants.create(caller, body);
  }

  @Handles(TENANTS.TENANT_GET)
  get(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.TENANT_GET) { id }: ParsedRequestOf<typeof TENANTS.TENANT_GET>,
  ): Promise<TenantView> {
    return id === OWN_TENANT ? this.tenants.getOwn(caller) : this.tenants.get(caller, id);
  }

  @Handles(TENANTS.TENANT_UPDATE)
  update(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.TENANT_UPDATE)
    { id, body }: ParsedRequestOf<typeof TENANTS.TENANT_UPDATE>,
  ): Promise<TenantView> {
    return id === OWN_TENANT
      ? this.tenants.updateOwn(caller, body)
      : this.tenants.update(caller, id, body);
  }

  @Handles(TENANTS.TENANT_DELETE)
  async delete(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.TENANT_DELETE) { id }: ParsedRequestOf<typeof TENANTS.TENANT_DELETE>,
  ): Promise<{ deleted: true }> {
    await this.tenants.delete(caller, id);
    return { deleted: true };
  }

  /** Internal: the chat service, acting for the tenant of its request. */
  @Handles(TENANTS.TENANT_RUNTIME_CONFIG)
  runtimeConfig(@ActingTenant() tenantId: TenantId): Promise<TenantRuntimeConfig> {
    return this.tenants.runtimeConfig(tenantId);
  }
}
