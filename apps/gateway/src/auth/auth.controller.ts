import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import {
  ErrorCode,
  type LoginBody,
  loginSchema,
  meReplySchema,
  type RefreshRequest,
  refreshSchema,
  TENANTS,
  type TokenResponse,
  tokenResponseSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { Public } from './decorators';
import { hostOf, tenantHeaderOf } from './request-credentials';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with username or email and password',
    description:
      'Send X-Tenant-ID (tenant id or slug) for a tenant user, or call on the tenant’s verified ' +
      'custom domain; the super admin logs in without either. Failed logins are limited per ' +
      'client IP and, consecutively, per account and IP; a success resets the latter ' +
      '(429 RATE_LIMITED with Retry-After).',
  })
  @ApiHeader({ name: 'X-Tenant-ID', required: false })
  @ApiInput({ example: { username: 'alice', password: 'correct horse battery staple' } })
  @ApiReply(tokenResponseSchema, {
    example: {
      access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…',
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: 'tbr_3f9c…',
    },
  })
  @ApiErrors(
    ErrorCode.UNAUTHORIZED,
    ErrorCode.RATE_LIMITED,
    ErrorCode.TENANT_NOT_FOUND,
    ErrorCode.TENANT_INACTIVE,
    ErrorCode.FORBIDDEN,
  )
  login(
    @Req() request: FastifyRequest,
    @Body(new ZodPipe(loginSchema)) body: LoginBody,
  ): Promise<TokenResponse> {
    return runWithContext(request.requestContext, () =>
      this.transport.request(TENANTS.AUTH_LOGIN, {
        body,
        tenant_ref: tenantHeaderOf(request),
        host: hostOf(request),
        client_ip: request.ip,
      }),
    );
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for new tokens (the old one is spent)' })
  @ApiReply(tokenResponseSchema)
  @ApiErrors(ErrorCode.UNAUTHORIZED)
  refresh(@Body(new ZodPipe(refreshSchema)) body: RefreshRequest): Promise<TokenResponse> {
    return this.transport.request(TENANTS.AUTH_REFRESH, body);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token and every token rotated from it' })
  @ApiReply()
  async logout(@Body(new ZodPipe(refreshSchema)) body: RefreshRequest): Promise<void> {
    await this.transport.request(TENANTS.AUTH_LOGOUT, body);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller: user (or API key), role and tenant' })
  @ApiReply(meReplySchema)
  me(@Req() request: FastifyRequest) {
    const { principal, tenant } = request.authentication ?? {};
    if (principal?.api_key_id) {
      // Everything an API key's answer holds was resolved by authentication already.
      return {
        kind: 'api_key',
        api_key_id: principal.api_key_id,
        role: principal.role,
        tenant: tenant
          ? { id: tenant.id, slug: tenant.slug, name: tenant.name, plan: tenant.plan }
          : null,
      };
    }
    return this.transport.request(TENANTS.AUTH_ME, {});
  }
}
