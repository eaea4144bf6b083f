import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';

import {
  type AuthenticateRequest,
  loginSchema,
  parseOrThrow,
  refreshSchema,
  TENANTS,
} from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { AuthService } from './auth.service';

const loginMessage = z.object({
  body: z.unknown(),
  tenant_ref: z.string().max(200).optional(),
  host: z.string().max(253).optional(),
  client_ip: z.string().max(64).optional(),
});

/** Login, refresh and logout come from anonymous clients; authenticate from the gateway. */
@Controller()
export class AuthHandler {
  constructor(private readonly auth: AuthService) {}

  @MessagePattern(TENANTS.AUTH_LOGIN)
  login(@Payload() message: unknown) {
    const { body, ...where } = parseOrThrow(loginMessage, message);
    return this.auth.login({ ...parseOrThrow(loginSchema, body), ...where });
  }

  @MessagePattern(TENANTS.AUTH_REFRESH)
  refresh(@Payload() body: unknown) {
    return this.auth.refresh(parseOrThrow(refreshSchema, body).refresh_token);
  }

  @MessagePattern(TENANTS.AUTH_LOGOUT)
  async logout(@Payload() body: unknown) {
    await this.auth.logout(parseOrThrow(refreshSchema, body).refresh_token);
    return { revoked: true };
  }

  @MessagePattern(TENANTS.AUTH_AUTHENTICATE)
  authenticate(@Payload() request: AuthenticateRequest) {
    return this.auth.authenticate(request);
  }

  @MessagePattern(TENANTS.AUTH_ME)
  me() {
    return this.auth.me(callerOfMessage());
  }
}
