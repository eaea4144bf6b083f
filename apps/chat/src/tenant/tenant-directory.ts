import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, TENANTS, type TenantRuntimeConfig } from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

/** The settings of the tenant in context, from the tenants service (provider keys in clear). */
@Injectable()
export class TenantDirectory {
  constructor(@Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient) {}

  async current(): Promise<TenantRuntimeConfig> {
    const tenant = await this.transport.request<TenantRuntimeConfig>(
      TENANTS.TENANT_RUNTIME_CONFIG,
      {},
    );
    if (!tenant.is_active) {
      throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
    }
    return tenant;
  }
}
