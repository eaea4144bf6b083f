import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import {
  type DomainParam,
  domainParamSchema,
  type DomainView,
  domainViewSchema,
  ErrorCode,
  type IdParam,
  idParamSchema,
  type Page,
  pageSchema,
  type Pagination,
  paginationSchema,
  registrationReplySchema,
  type TenantCreate,
  tenantCreateSchema,
  type TenantRegistration,
  tenantRegistrationSchema,
  TENANTS,
  tenantSelfUpdateSchema,
  type TenantUpdate,
  tenantUpdateSchema,
  type TenantView,
  tenantViewSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Public, Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @Roles('super_admin')
  @ApiOperation({ summary: 'List tenants (super admin)' })
  @ApiReply(pageSchema(tenantViewSchema))
  list(@Query(new ZodPipe(paginationSchema)) query: Pagination): Promise<Page<TenantView>> {
    return this.transport.request(TENANTS.TENANT_LIST, query);
  }

  @Post()
  @Roles('super_admin')
  @ApiOperation({ summary: 'Create a tenant (super admin)' })
  @ApiInput({ example: { name: 'Acme Inc', slug: 'acme', plan: 'premium' } })
  @ApiReply(tenantViewSchema)
  @ApiErrors(ErrorCode.CONFLICT, ErrorCode.DOMAIN_NOT_ALLOWED)
  create(@Body(new ZodPipe(tenantCreateSchema)) body: TenantCreate): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_CREATE, body);
  }

  @Post('register')
  @Public()
  @ApiOperation({
    summary: 'Self-service sign-up of a company and its first admin',
    description:
      'Off unless ALLOW_SELF_REGISTRATION=true (403 FEATURE_DISABLED). Returns the tenant and tokens.',
  })
  @ApiReply(registrationReplySchema)
  @ApiErrors(ErrorCode.FEATURE_DISABLED, ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED)
  register(@Body(new ZodPipe(tenantRegistrationSchema)) body: TenantRegistration) {
    return this.transport.request(TENANTS.TENANT_REGISTER, body);
  }

  @Get('me')
  @Roles('tenant_admin', 'super_admin')
  @ApiOperation({
    summary: "The caller's tenant (tenant admin; a super admin names it in X-Tenant-ID)",
  })
  @ApiReply(tenantViewSchema)
  @ApiErrors(ErrorCode.TENANT_REQUIRED)
  getOwn(): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_GET, { id: 'me' });
  }

  @Put('me')
  @Roles('tenant_admin', 'super_admin')
  @ApiOperation({
    summary: "Update the caller's tenant (a tenant admin: only the fields below)",
    description:
      'A tenant admin may write name, system_prompt, default_model, allowed_origins, domains ' +
      '(pending until verified), provider_keys and rag chunk_size, chunk_overlap and top_k. ' +
      'Any other field of the tenant (plan, is_active, slug, allowed_models, rate_limits and ' +
      'budgets, rag.embedding_provider) is refused with 403 FIELD_NOT_WRITABLE, naming the ' +
      'fields in `details.fields`; only the super admin writes them (`PUT /tenants/{id}`).',
  })
  @ApiInput({ body: tenantSelfUpdateSchema })
  @ApiReply(tenantViewSchema)
  @ApiErrors(
    ErrorCode.FIELD_NOT_WRITABLE,
    ErrorCode.TENANT_REQUIRED,
    ErrorCode.CONFLICT,
    ErrorCode.DOMAIN_NOT_ALLOWED,
  )
  updateOwn(@Body(new ZodPipe(tenantUpdateSchema)) body: TenantUpdate): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_UPDATE, { id: 'me', body });
  }

  @Get('me/domains')
  @Roles('tenant_admin', 'super_admin')
  @ApiOperation({
    summary: "The caller's custom domains, verified or pending, with the DNS record to publish",
    description:
      'A domain in `domains` resolves the tenant from a request’s Host (logins included) only ' +
      'once verified: publish `TXT _tenantbot.<domain>` with the value shown in ' +
      '`verification`, then call the verify route. Domains the super admin sets are verified ' +
      'at once.',
  })
  @ApiReply(z.array(domainViewSchema))
  @ApiErrors(ErrorCode.TENANT_REQUIRED)
  listDomains(): Promise<DomainView[]> {
    return this.transport.request(TENANTS.DOMAIN_LIST, {});
  }

  @Post('me/domains/:domain/verify')
  @Roles('tenant_admin', 'super_admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify a claimed domain by its DNS TXT record',
    description:
      'Looks up `_tenantbot.<domain>`. Found with the tenant’s token: the domain is verified ' +
      'and answers with its state. Otherwise 422 DOMAIN_NOT_VERIFIED with the record to ' +
      'publish in `details.verification`; 404 DOMAIN_NOT_FOUND for a domain the tenant has ' +
      'not claimed; 409 CONFLICT when another tenant holds it verified; 503 when DNS fails.',
  })
  @ApiReply(domainViewSchema)
  @ApiErrors(
    ErrorCode.DOMAIN_NOT_VERIFIED,
    ErrorCode.DOMAIN_NOT_FOUND,
    ErrorCode.CONFLICT,
    ErrorCode.SERVICE_UNAVAILABLE,
  )
  verifyDomain(@Param(new ZodPipe(domainParamSchema)) params: DomainParam): Promise<DomainView> {
    return this.transport.request(TENANTS.DOMAIN_VERIFY, params);
  }

  @Get(':id')
  @Roles('super_admin')
  @ApiOperation({ summary: 'Get a tenant (super admin)' })
  @ApiReply(tenantViewSchema)
  get(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_GET, params);
  }

  @Put(':id')
  @Roles('super_admin')
  @ApiOperation({ summary: 'Update a tenant (super admin)' })
  @ApiReply(tenantViewSchema)
  @ApiErrors(ErrorCode.CONFLICT, ErrorCode.DOMAIN_NOT_ALLOWED)
  update(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Body(new ZodPipe(tenantUpdateSchema)) body: TenantUpdate,
  ): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_UPDATE, { id: params.id, body });
  }

  @Delete(':id')
  @Roles('super_admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant and all of its data, in every service (super admin)' })
  @ApiReply()
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(TENANTS.TENANT_DELETE, params);
  }
}
