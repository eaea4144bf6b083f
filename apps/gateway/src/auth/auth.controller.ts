import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DomainError,
  ErrorCode,
  TENANTS,
  loginSchema,
  refreshSchema,
  type TokenResponse,
} from '@tenantbot/contracts';
import { LoginThrottle } from '@tenantbot/rate-limit';
import { runWithContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { openApiSchema, validated } from '../http/zod-validation.pipe';
import { tenantHeaderOf } from './auth.guard';
import { Public } from './decorators';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with username or email and password',
    description:
      'Send X-Tenant-ID (tenant id or slug) for a tenant user; the super admin logs in without it. ' +
      'Attempts are limited per client IP and per account (429 RATE_LIMITED with Retry-After).',
  })
  @ApiHeader({ name: 'X-Tenant-ID', required: false })
  @ApiBody({ schema: openApiSchema(loginSchema) })
  async login(
    @Req() request: FastifyRequest,
    @Body(validated(loginSchema)) body: z.output<typeof loginSchema>,
  ): Promise<TokenResponse> {
    const tenantRef = tenantHeaderOf(request);
    const account = `${tenantRef?.toLowerCase() ?? 'platform'}:${(body.username ?? body.email ?? '').toLowerCase()}`;
    await this.throttle.admit(request.ip, account);
    try {
      const tokens = await runWithContext(request.requestContext, () =>
        this.transport.request<TokenResponse>(TENANTS.AUTH_LOGIN, { body, tenant_ref: tenantRef }),
      );
      await this.throttle.recordSuccess(account);
      return tokens;
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.UNAUTHORIZED) {
        await this.throttle.recordFailure(account);
      }
      throw error;
    }
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for new tokens (the old one is spent)' })
  @ApiBody({ schema: openApiSchema(refreshSchema) })
  refresh(
    @Body(validated(refreshSchema)) body: z.output<typeof refreshSchema>,
  ): Promise<TokenResponse> {
    return this.transport.request(TENANTS.AUTH_REFRESH, body);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token and every token rotated from it' })
  @ApiBody({ schema: openApiSchema(refreshSchema) })
  async logout(
    @Body(validated(refreshSchema)) body: z.output<typeof refreshSchema>,
  ): Promise<void> {
    await this.transport.request(TENANTS.AUTH_LOGOUT, body);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller: user (or API key), role and tenant' })
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
