import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import {
  type AssistantCreate,
  assistantCreateSchema,
  ASSISTANTS,
  type AssistantUpdate,
  assistantUpdateSchema,
  type AssistantView,
  assistantViewSchema,
  ErrorCode,
  type IdParam,
  idParamSchema,
  type Page,
  pageSchema,
  type Pagination,
  paginationSchema,
  type UsableAssistant,
  usableAssistantSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiReply } from '../openapi/api-contract';
import { VisitorAllowed } from '../web-channel/visitor-route';

@ApiTags('assistants')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/assistants')
export class AssistantsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({ summary: "The tenant's assistants, the default first" })
  @ApiReply(pageSchema(assistantViewSchema))
  list(@Query(new ZodPipe(paginationSchema)) page: Pagination): Promise<Page<AssistantView>> {
    return this.transport.request(ASSISTANTS.LIST, page);
  }

  @Post()
  @ApiOperation({
    summary: 'Create an assistant: a persona with its prompt, model, audience and knowledge',
    description:
      '`slug` (unique in the tenant; derived from `name` when left out) names it wherever a model ' +
      "may be named. `system_prompt` null uses the tenant's; `model` must be one the tenant allows " +
      '(400 `ASSISTANT_MODEL_NOT_ALLOWED`). `roles` may chat with it (default: every tenant role), ' +
      '`widgets_allowed` lets website visitors. `knowledge` limits what it may cite to the documents ' +
      'listed or carrying one of the tags (left out: every document). `is_default: true` moves ' +
      'the default to it.',
  })
  @ApiReply(assistantViewSchema)
  @ApiErrors(ErrorCode.ASSISTANT_SLUG_TAKEN, ErrorCode.ASSISTANT_MODEL_NOT_ALLOWED)
  create(@Body(new ZodPipe(assistantCreateSchema)) body: AssistantCreate): Promise<AssistantView> {
    return this.transport.request(ASSISTANTS.CREATE, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An assistant' })
  @ApiReply(assistantViewSchema)
  @ApiErrors(ErrorCode.ASSISTANT_NOT_FOUND)
  get(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<AssistantView> {
    return this.transport.request(ASSISTANTS.GET, params);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Change an assistant',
    description:
      'Fields left out keep their value; `knowledge` is replaced as a whole. `is_default: true` ' +
      'moves the default here in one transaction; the default cannot be unset (409 ' +
      '`ASSISTANT_IS_DEFAULT`): make another one the default instead.',
  })
  @ApiReply(assistantViewSchema)
  @ApiErrors(
    ErrorCode.ASSISTANT_NOT_FOUND,
    ErrorCode.ASSISTANT_SLUG_TAKEN,
    ErrorCode.ASSISTANT_MODEL_NOT_ALLOWED,
    ErrorCode.ASSISTANT_IS_DEFAULT,
  )
  update(
    @Param(new ZodPipe(idParamSchema)) params: IdParam,
    @Body(new ZodPipe(assistantUpdateSchema)) body: AssistantUpdate,
  ): Promise<AssistantView> {
    return this.transport.request(ASSISTANTS.UPDATE, { id: params.id, body });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an assistant',
    description:
      'The default cannot be deleted (409 `ASSISTANT_IS_DEFAULT`). Its conversations stay and ' +
      'continue with the default assistant.',
  })
  @ApiReply()
  @ApiErrors(ErrorCode.ASSISTANT_NOT_FOUND, ErrorCode.ASSISTANT_IS_DEFAULT)
  async delete(@Param(new ZodPipe(idParamSchema)) params: IdParam): Promise<void> {
    await this.transport.request(ASSISTANTS.DELETE, params);
  }
}

@ApiTags('chat')
@Controller('api/v1/chat/assistants')
export class UsableAssistantsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @VisitorAllowed()
  @ApiOperation({
    summary: 'The assistants the caller may chat with',
    description:
      "By the caller's role; a widget visitor sees those allowed on widgets, or only the " +
      "widget's own assistant when it has one. Name one as `assistant_id` in a chat request.",
  })
  @ApiReply(pageSchema(usableAssistantSchema))
  async list(
    @Req() request: FastifyRequest,
    @Query(new ZodPipe(paginationSchema)) page: Pagination,
  ): Promise<Page<UsableAssistant>> {
    const pinned = request.visitorWidget?.assistant_id;
    if (!pinned) {
      return this.transport.request(ASSISTANTS.USABLE, page);
    }
    const all = await this.transport.request(ASSISTANTS.USABLE, { limit: 200, offset: 0 });
    const items = all.items.filter((assistant) => assistant.id === pinned);
    return {
      items: items.slice(page.offset, page.offset + page.limit),
      total: items.length,
      ...page,
    };
  }
}
