import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { domainParamSchema, parseOrThrow, TENANTS } from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { DomainService } from './domain.service';

@Controller()
export class DomainHandler {
  constructor(private readonly domains: DomainService) {}

  @MessagePattern(TENANTS.DOMAIN_LIST)
  list() {
    return this.domains.list(callerOfMessage());
  }

  @MessagePattern(TENANTS.DOMAIN_VERIFY)
  verify(@Payload() message: unknown) {
    return this.domains.verify(callerOfMessage(), parseOrThrow(domainParamSchema, message).domain);
  }
}
