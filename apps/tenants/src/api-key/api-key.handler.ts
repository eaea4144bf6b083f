import { Controller } from '@nestjs/common';

import {
  type ApiKeyView,
  type Caller,
  type CreatedApiKey,
  type ParsedRequestOf,
  TENANTS,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { ApiKeyService } from './api-key.service';

@Controller()
export class ApiKeyHandler {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Handles(TENANTS.API_KEY_LIST)
  list(@CurrentCaller() caller: Caller): Promise<ApiKeyView[]> {
    return this.apiKeys.list(caller);
  }

  @Handles(TENANTS.API_KEY_CREATE)
  create(
    @CurrentCaller() caller: Caller,
    @ValidPayload(TENANTS.API_KEY_CREATE) body: ParsedRequestOf<typeof TENANTS.API_KEY_CREATE>,
  ): Promise<CreatedApiKey> {
    return this.apiKeys.create(caller, body);
  }

  @Handles(TENANTS.API_KEY_DELETE)
  async revoke(
    @CurrentCaller() caller: Caller,
    @ValidPayload(TENANTS.API_KEY_DELETE) { id }: ParsedRequestOf<typeof TENANTS.API_KEY_DELETE>,
  ): Promise<{ revoked: true }> {
    await this.apiKeys.revoke(caller, id);
    return { revoked: true };
  }
}
