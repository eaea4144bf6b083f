import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  TENANTS,
  idParamSchema,
  paginationSchema,
  tenantCreateSchema,
  tenantRegistrationSchema,
  tenantSelfUpdateSchema,
  tenantUpdateSchema,
  type Page,
  type TenantView,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';
import { Public, Roles } from '../auth/decorators';
import { openApiSchema, validated } from '../http/zod-validation.pipe';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(@Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient) {}

  @Get()
  @Roles('super_admin')
  @ApiOperation({ summary: 'List tenants (super admin)' })
  list(@Query(validated(paginationSchema)) query: unknown): Promise<Page<TenantView>> {
    return this.transport.request(TENANTS.TENANT_LIST, query);
  }

  @Post()
  @Roles('super_admin')
  @ApiOperation({ summary: 'Create a tenant (super admin)' })
  @ApiBody({ schema: openApiSchema(tenantCreateSchema) })
  create(@Body(validated(tenantCreateSchema)) body: unknown): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_CREATE, body);
  }

  @Post('register')
  @Public()
  @ApiOperation({
    summary: 'Self-service sign-up of a company and its first admin',
    description:
      'Off unless ALLOW_SELF_REGISTRATION=true (403 FEATURE_DISABLED). Returns the tenant and tokens.',
  })
  @ApiBody({ schema: openApiSchema(tenantRegistrationSchema) })
  register(@Body(validated(tenantRegistrationSchema)) body: unknown) {
    return this.transport.request(TENANTS.TENANT_REGISTER, body);
  }

  @Get('me')
  @Roles('tenant_admin', 'super_admin')
  @ApiOperation({
    summary: "The caller's tenant (tenant admin; a super admin names it in X-Tenant-ID)",
  })
  getOwn(): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_GET, { id: 'me' });
  }

  @Put('me')
  @Roles('tenant_admin', 'super_admin')
  @ApiOperation({ summary: "Update the caller's tenant: not its plan, slug or status" })
  @ApiBody({ schema: openApiSchema(tenantSelfUpdateSchema) })
  updateOwn(@Body(validated(tenantSelfUpdateSchema)) body: unknown): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_UPDATE, { id: 'me', body });
  }

  @Get(':id')
  @Roles('super_admin')
  @ApiOperation({ summary: 'Get a tenant (super admin)' })
  get(@Param(validated(idParamSchema)) params: { id: string }): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_GET, params);
  }

  @Put(':id')
  @Roles('super_admin')
  @ApiOperation({ summary: 'Update a tenant (super admin)' })
  @ApiBody({ schema: openApiSchema(tenantUpdateSchema) })
  update(
    @Param(validated(idParamSchema)) params: { id: string },
    @Body(validated(tenantUpdateSchema)) body: unknown,
  ): Promise<TenantView> {
    return this.transport.request(TENANTS.TENANT_UPDATE, { id: params.id, body });
  }

  @Delete(':id')
  @Roles('super_admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant and all of its data, in every service (super admin)' })
  async delete(@Param(validated(idParamSchema)) params: { id: string }): Promise<void> {
    await this.transport.request(TENANTS.TENANT_DELETE, params);
  }
}
