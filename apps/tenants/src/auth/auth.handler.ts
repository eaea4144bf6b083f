import { Controller } from '@nestjs/common';

import {
  type AuthenticationResult,
  type MeReply,
  type ParsedRequestOf,
  type PlatformCaller,
  TENANTS,
  type TokenResponse,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { AuthService } from './auth.service';

/** Login, refresh and logout come from anonymous clients; authenticate from the gateway. */
@Controller()
export class AuthHandler {
  constructor(private readonly auth: AuthService) {}

  @Handles(TENANTS.AUTH_LOGIN)
  login(
    @ValidPayload(TENANTS.AUTH_LOGIN)
    { body, ...where }: ParsedRequestOf<typeof TENANTS.AUTH_LOGIN>,
  ): Promise<TokenResponse> {
    return this.auth.login({ ...body, ...where });
  }

  @Handles(TENANTS.AUTH_REFRESH)
  refresh(
    @ValidPayload(TENANTS.AUTH_REFRESH) body: ParsedRequestOf<typeof TENANTS.AUTH_REFRESH>,
  ): Promise<TokenResponse> {
    return this.auth.refresh(body.refresh_token);
  }

  @Handles(TENANTS.AUTH_LOGOUT)
  async logout(
    @ValidPayload(TENANTS.AUTH_LOGOUT) body: ParsedRequestOf<typeof TENANTS.AUTH_LOGOUT>,
  ): Promise<{ revoked: true }> {
    await this.auth.logout(body.refresh_token);
    return { revoked: true };
  }

  @Handles(TENANTS.AUTH_AUTHENTICATE)
  authenticate(
    @ValidPayload(TENANTS.AUTH_AUTHENTICATE)
    request: ParsedRequestOf<typeof TENANTS.AUTH_AUTHENTICATE>,
  ): Promise<AuthenticationResult> {
    return this.auth.authenticate(request);
  }

  @Handles(TENANTS.AUTH_ME)
  me(@CurrentPlatformCaller() caller: PlatformCaller): Promise<MeReply> {
    return this.auth.me(caller);
  }
}
