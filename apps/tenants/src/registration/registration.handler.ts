import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { parseOrThrow, tenantRegistrationSchema, TENANTS } from '@tenantbot/contracts';

import { RegistrationService } from './registration.service';

@Controller()
export class RegistrationHandler {
  constructor(private readonly registration: RegistrationService) {}

  /** Anonymous: the caller is nobody yet. */
  @MessagePattern(TENANTS.TENANT_REGISTER)
  register(@Payload() body: unknown) {
    return this.registration.register(parseOrThrow(tenantRegistrationSchema, body));
  }
}
