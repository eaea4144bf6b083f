import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import {
  type ApiKeyCreate,
  apiKeyCreateSchema,
  type ApiKeyView,
  apiKeyViewSchema,
  type CreatedApiKey,
  createdApiKeySchema,
  ErrorCode,
  type IdParam,
  idParamSchema,
  TENANTS,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

@ApiTags('api-keys')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's active API keys (never their secrets)" })
  @ApiReply(z.array(apiKeyViewSchema))
  list(): Promise<ApiKeyView[]> {
    return this.transport.request(TENANTS.API_KEY_LIST, {});
  }

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The `key` (tbk_<prefix>_<secret>) is shown only in this response; use it as the Bearer.',
  })
  @ApiInput({ example: { name: 'website widget backend' } })
  @ApiReply(createdApiKeySchema)
  create(@Body(new ZodPipe(apiKeyCreateSchema)) body: ApiKeyCreate): Promise<CreatedApiKey> {
    return this.transport.request(TENANTS.API_KEY_CREATE, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiReply()
  @ApiErrors(ErrorCode.NOT_FOUND)
  async revoke(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(TENANTS.API_KEY_DELETE, params);
  }
}
