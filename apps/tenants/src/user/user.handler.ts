import { Controller } from '@nestjs/common';

import {
  type Page,
  type ParsedRequestOf,
  type PlatformCaller,
  TENANTS,
  type UserView,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { UserService } from './user.service';

/** A super admin may name no tenant: it then manages users across the platform. */
@Controller()
export class UserHandler {
  constructor(private readonly users: UserService) {}

  @Handles(TENANTS.USER_LIST)
  list(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.USER_LIST) page: ParsedRequestOf<typeof TENANTS.USER_LIST>,
  ): Promise<Page<UserView>> {
    return this.users.list(caller, page);
  }

  @Handles(TENANTS.USER_CREATE)
  create(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.USER_CREATE) body: ParsedRequestOf<typeof TENANTS.USER_CREATE>,
  ): Promise<UserView> {
    return this.users.create(caller, body);
  }

  @Handles(TENANTS.USER_GET)
  get(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.USER_GET) { id }: ParsedRequestOf<typeof TENANTS.USER_GET>,
  ): Promise<UserView> {
    return this.users.get(caller, id);
  }

  @Handles(TENANTS.USER_UPDATE)
  update(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.USER_UPDATE) { id, body }: ParsedRequestOf<typeof TENANTS.USER_UPDATE>,
  ): Promise<UserView> {
    return this.users.update(caller, id, body);
  }

  @Handles(TENANTS.USER_DELETE)
  async delete(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(TENANTS.USER_DELETE) { id }: ParsedRequestOf<typeof TENANTS.USER_DELETE>,
  ): Promise<{ deleted: true }> {
    await this.users.delete(caller, id);
    return { deleted: true };
  }
}
