import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  ErrorCode,
  type IdParam,
  idParamSchema,
  type Page,
  pageSchema,
  type Pagination,
  paginationSchema,
  TENANTS,
  type UserCreate,
  userCreateSchema,
  type UserUpdate,
  userUpdateSchema,
  type UserView,
  userViewSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

@ApiTags('users')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/admin/users')
export class UsersController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({
    summary: "List users: a tenant admin its tenant's; a super admin the named tenant's or all",
  })
  @ApiReply(pageSchema(userViewSchema))
  list(@Query(new ZodPipe(paginationSchema)) query: Pagination): Promise<Page<UserView>> {
    return this.transport.request(TENANTS.USER_LIST, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user in the tenant' })
  @ApiInput({
    example: {
      username: 'bob',
      email: 'bob@acme.example',
      password: 'a long passphrase',
      role: 'user',
    },
  })
  @ApiReply(userViewSchema)
  @ApiErrors(ErrorCode.CONFLICT, ErrorCode.TENANT_REQUIRED)
  create(@Body(new ZodPipe(userCreateSchema)) body: UserCreate): Promise<UserView> {
    return this.transport.request(TENANTS.USER_CREATE, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiReply(userViewSchema)
  @ApiErrors(ErrorCode.NOT_FOUND)
  get(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<UserView> {
    return this.transport.request(TENANTS.USER_GET, params);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Update a user (email, password, role, status); ends its sessions' })
  @ApiReply(userViewSchema)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT)
  update(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Body(new ZodPipe(userUpdateSchema)) body: UserUpdate,
  ): Promise<UserView> {
    return this.transport.request(TENANTS.USER_UPDATE, { id: params.id, body });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user' })
  @ApiReply()
  @ApiErrors(ErrorCode.NOT_FOUND)
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(TENANTS.USER_DELETE, params);
  }
}
