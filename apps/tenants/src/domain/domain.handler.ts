import { Controller } from '@nestjs/common';

import { type Caller, type DomainView, type ParsedRequestOf, TENANTS } from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { DomainService } from './domain.service';

@Controller()
export class DomainHandler {
  constructor(private readonly domains: DomainService) {}

  @Handles(TENANTS.DOMAIN_LIST)
  list(@CurrentCaller() caller: Caller): Promise<DomainView[]> {
    return this.domains.list(caller);
  }

  @Handles(TENANTS.DOMAIN_VERIFY)
  verify(
    @CurrentCaller() caller: Caller,
    @ValidPayload(TENANTS.DOMAIN_VERIFY) { domain }: ParsedRequestOf<typeof TENANTS.DOMAIN_VERIFY>,
  ): Promise<DomainView> {
    return this.domains.verify(caller, domain);
  }
}
