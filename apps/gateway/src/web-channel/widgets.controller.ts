import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  type IdParam,
  idParamSchema,
  type WidgetCreate,
  widgetCreateSchema,
  WIDGETS,
  type WidgetUpdate,
  widgetUpdateSchema,
  type WidgetView,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { openApiSchema } from '../http/openapi-schema';

@ApiTags('widgets')
@ApiBearerAuth()
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/widgets')
export class WidgetsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's website chat widgets" })
  list(): Promise<WidgetView[]> {
    return this.transport.request(WIDGETS.LIST, {});
  }

  @Post()
  @ApiOperation({
    summary: 'Create a website chat widget',
    description:
      '`allowed_origins` are exact origins (scheme://host[:port]) whose pages may use the widget; ' +
      'its `public_key` (pk_…) goes in the embed snippet and grants nothing from any other origin.',
  })
  @ApiBody({ schema: openApiSchema(widgetCreateSchema) })
  create(@Body(new ZodPipe(widgetCreateSchema)) body: WidgetCreate): Promise<WidgetView> {
    return this.transport.request(WIDGETS.CREATE, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A widget' })
  get(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<WidgetView> {
    return this.transport.request(WIDGETS.GET, params);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Change a widget',
    description: 'Fields left out keep their value; `branding` and `limits` merge field by field.',
  })
  @ApiBody({ schema: openApiSchema(widgetUpdateSchema) })
  update(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Body(new ZodPipe(widgetUpdateSchema)) body: WidgetUpdate,
  ): Promise<WidgetView> {
    return this.transport.request(WIDGETS.UPDATE, { id: params.id, body });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a widget; its sessions stop working at once' })
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(WIDGETS.DELETE, params);
  }
}
