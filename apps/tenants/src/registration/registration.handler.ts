import { Controller } from '@nestjs/common';

import { type ParsedRequestOf, type RegistrationReply, TENANTS } from '@tenantbot/contracts';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { RegistrationService } from './registration.service';

@Controller()
export class RegistrationHandler {
  constructor(private readonly registration: RegistrationService) {}

  /** Anonymous: the caller is nobody yet. */
  @Handles(TENANTS.TENANT_REGISTER)
  register(
    @ValidPayload(TENANTS.TENANT_REGISTER) body: ParsedRequestOf<typeof TENANTS.TENANT_REGISTER>,
  ): Promise<RegistrationReply> {
    return this.registration.register(body);
  }
}
