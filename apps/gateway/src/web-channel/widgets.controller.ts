import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import {
  ASSISTANTS,
  DomainError,
  ErrorCode,
  type IdParam,
  idParamSchema,
  type WidgetCreate,
  widgetCreateSchema,
  WIDGETS,
  type WidgetUpdate,
  widgetUpdateSchema,
  type WidgetView,
  widgetViewSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

@ApiTags('widgets')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/widgets')
export class WidgetsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's website chat widgets" })
  @ApiReply(z.array(widgetViewSchema))
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
  @ApiInput({ example: { name: 'Help center', allowed_origins: ['https://help.acme.example'] } })
  @ApiReply(widgetViewSchema)
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async create(@Body(new ZodPipe(widgetCreateSchema)) body: WidgetCreate): Promise<WidgetView> {
    await this.requireWidgetAssistant(body.assistant_id);
    return this.transport.request(WIDGETS.CREATE, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A widget' })
  @ApiReply(widgetViewSchema)
  @ApiErrors(ErrorCode.WIDGET_NOT_FOUND)
  get(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<WidgetView> {
    return this.transport.request(WIDGETS.GET, params);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Change a widget',
    description:
      'Fields left out keep their value; `branding` and `limits` merge field by field. ' +
      '`assistant_id` must name an assistant of the tenant that allows widgets (400 otherwise); ' +
      "its visitors are answered by it. Deleting that assistant later leaves the widget's " +
      'visitors with 404 `ASSISTANT_NOT_FOUND` until the widget names another (or null).',
  })
  @ApiReply(widgetViewSchema)
  @ApiErrors(ErrorCode.WIDGET_NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async update(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Body(new ZodPipe(widgetUpdateSchema)) body: WidgetUpdate,
  ): Promise<WidgetView> {
    await this.requireWidgetAssistant(body.assistant_id);
    return this.transport.request(WIDGETS.UPDATE, { id: params.id, body });
  }

  /** A widget may name only an assistant of its tenant that allows widgets. */
  private async requireWidgetAssistant(assistantId: string | null | undefined): Promise<void> {
    if (!assistantId) {
      return;
    }
    const refuse = (message: string) =>
      new DomainError(ErrorCode.VALIDATION_FAILED, `assistant_id: ${message}`, [
        { field: 'assistant_id', message },
      ]);
    try {
      const assistant = await this.transport.request(ASSISTANTS.GET, { id: assistantId });
      if (!assistant.widgets_allowed) {
        throw refuse('this assistant does not allow widgets (widgets_allowed)');
      }
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.ASSISTANT_NOT_FOUND) {
        throw refuse('no assistant of this tenant has this id');
      }
      throw error;
    }
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a widget; its sessions stop working at once' })
  @ApiReply()
  @ApiErrors(ErrorCode.WIDGET_NOT_FOUND)
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(WIDGETS.DELETE, params);
  }
}
