import { Controller } from '@nestjs/common';

import {
  type CompanyRef,
  type ParsedRequestOf,
  type PlatformCaller,
  type PlatformUserPage,
  TENANTS,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { PlatformService } from './platform.service';

/** A super admin's views across companies (no tenant in context needed). */
@Controller()
export class PlatformHandler {
  constructor(private readonly service: PlatformService) {}

  @Handles(TENANTS.PLATFORM_USERS)
  users(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.PLATFORM_USERS) query: ParsedRequestOf<typeof TENANTS.PLATFORM_USERS>,
  ): Promise<PlatformUserPage> {
    return this.service.users(caller, query);
  }

  @Handles(TENANTS.COMPANY_REFS)
  companies(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.COMPANY_REFS) { ids }: ParsedRequestOf<typeof TENANTS.COMPANY_REFS>,
  ): Promise<{ items: CompanyRef[] }> {
    return this.service.companies(caller, ids);
  }
}
