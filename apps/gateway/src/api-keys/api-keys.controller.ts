import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  type ApiKeyCreate,
  apiKeyCreateSchema,
  type ApiKeyView,
  type CreatedApiKey,
  type IdParam,
  idParamSchema,
  TENANTS,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { openApiSchema } from '../http/openapi-schema';

@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's active API keys (never their secrets)" })
  list(): Promise<ApiKeyView[]> {
    return this.transport.request(TENANTS.API_KEY_LIST, {});
  }

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The `key` (tbk_<prefix>_<secret>) is shown only in this response; use it as the Bearer.',
  })
  @ApiBody({ schema: openApiSchema(apiKeyCreateSchema) })
  create(@Body(new ZodPipe(apiKeyCreateSchema)) body: ApiKeyCreate): Promise<CreatedApiKey> {
    return this.transport.request(TENANTS.API_KEY_CREATE, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  async revoke(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(TENANTS.API_KEY_DELETE, params);
  }
}
