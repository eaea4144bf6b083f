import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { apiKeyCreateSchema, idParamSchema, parseOrThrow, TENANTS } from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { ApiKeyService } from './api-key.service';

@Controller()
export class ApiKeyHandler {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @MessagePattern(TENANTS.API_KEY_LIST)
  list() {
    return this.apiKeys.list(callerOfMessage());
  }

  @MessagePattern(TENANTS.API_KEY_CREATE)
  create(@Payload() body: unknown) {
    return this.apiKeys.create(callerOfMessage(), parseOrThrow(apiKeyCreateSchema, body));
  }

  @MessagePattern(TENANTS.API_KEY_DELETE)
  async revoke(@Payload() message: unknown) {
    await this.apiKeys.revoke(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
    return { revoked: true };
  }
}
