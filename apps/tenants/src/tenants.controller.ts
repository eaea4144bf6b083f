import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  TENANTS,
  apiKeyCreateSchema,
  domainParamSchema,
  idParamSchema,
  loginSchema,
  paginationSchema,
  parseOrThrow,
  refreshSchema,
  tenantCreateSchema,
  tenantRegistrationSchema,
  tenantUpdateSchema,
  userCreateSchema,
  userUpdateSchema,
  type AuthenticateRequest,
} from '@tenantbot/contracts';
import { z } from 'zod';
import { ApiKeyService } from './api-key/api-key.service';
import { DomainService } from './domain/domain.service';
import { StatsService } from './stats/stats.service';
import { AuthService } from './auth/auth.service';
import { TenantService } from './tenant/tenant.service';
import { UserService } from './user/user.service';

const withId = <S extends z.ZodObject>(schema: S) =>
  z.object({ id: idParamSchema.shape.id, body: schema }).strict();
const loginMessage = z.object({
  body: z.unknown(),
  tenant_ref: z.string().max(200).optional(),
  host: z.string().max(253).optional(),
  client_ip: z.string().max(64).optional(),
});

/** The tenants service's message handlers: validate, then one service call each. */
@Controller()
export class TenantsController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(TenantService) private readonly tenants: TenantService,
    @Inject(UserService) private readonly users: UserService,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(StatsService) private readonly statistics: StatsService,
    @Inject(DomainService) private readonly domains: DomainService,
  ) {}

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
    return this.auth.me();
  }

  @MessagePattern(TENANTS.TENANT_LIST)
  listTenants(@Payload() query: unknown) {
    return this.tenants.list(parseOrThrow(paginationSchema, query));
  }

  @MessagePattern(TENANTS.TENANT_CREATE)
  createTenant(@Payload() body: unknown) {
    return this.tenants.create(parseOrThrow(tenantCreateSchema, body));
  }

  @MessagePattern(TENANTS.TENANT_GET)
  getTenant(@Payload() message: unknown) {
    const { id } = parseOrThrow(z.object({ id: z.string() }), message);
    return id === 'me'
      ? this.tenants.getOwn()
      : this.tenants.get(parseOrThrow(idParamSchema, { id }).id);
  }

  @MessagePattern(TENANTS.TENANT_UPDATE)
  updateTenant(@Payload() message: { id?: unknown; body?: unknown }) {
    if (message?.id === 'me')
      return this.tenants.updateOwn(parseOrThrow(tenantUpdateSchema, message.body));
    const { id, body } = parseOrThrow(withId(tenantUpdateSchema), message);
    return this.tenants.update(id, body);
  }

  @MessagePattern(TENANTS.TENANT_DELETE)
  async deleteTenant(@Payload() message: unknown) {
    await this.tenants.delete(parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }

  @MessagePattern(TENANTS.DOMAIN_LIST)
  listDomains() {
    return this.domains.list();
  }

  @MessagePattern(TENANTS.DOMAIN_VERIFY)
  verifyDomain(@Payload() message: unknown) {
    return this.domains.verify(parseOrThrow(domainParamSchema, message).domain);
  }

  @MessagePattern(TENANTS.TENANT_RUNTIME_CONFIG)
  runtimeConfig() {
    return this.tenants.runtimeConfig();
  }

  @MessagePattern(TENANTS.STATS)
  stats() {
    return this.statistics.stats();
  }

  @MessagePattern(TENANTS.TENANT_REGISTER)
  register(@Payload() body: unknown) {
    return this.tenants.register(parseOrThrow(tenantRegistrationSchema, body));
  }

  @MessagePattern(TENANTS.USER_LIST)
  listUsers(@Payload() query: unknown) {
    return this.users.list(parseOrThrow(paginationSchema, query));
  }

  @MessagePattern(TENANTS.USER_CREATE)
  createUser(@Payload() body: unknown) {
    return this.users.create(parseOrThrow(userCreateSchema, body));
  }

  @MessagePattern(TENANTS.USER_GET)
  getUser(@Payload() message: unknown) {
    return this.users.get(parseOrThrow(idParamSchema, message).id);
  }

  @MessagePattern(TENANTS.USER_UPDATE)
  updateUser(@Payload() message: unknown) {
    const { id, body } = parseOrThrow(withId(userUpdateSchema), message);
    return this.users.update(id, body);
  }

  @MessagePattern(TENANTS.USER_DELETE)
  async deleteUser(@Payload() message: unknown) {
    await this.users.delete(parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }

  @MessagePattern(TENANTS.API_KEY_LIST)
  listApiKeys() {
    return this.apiKeys.list();
  }

  @MessagePattern(TENANTS.API_KEY_CREATE)
  createApiKey(@Payload() body: unknown) {
    return this.apiKeys.create(parseOrThrow(apiKeyCreateSchema, body));
  }

  @MessagePattern(TENANTS.API_KEY_DELETE)
  async revokeApiKey(@Payload() message: unknown) {
    await this.apiKeys.revoke(parseOrThrow(idParamSchema, message).id);
    return { revoked: true };
  }
}
