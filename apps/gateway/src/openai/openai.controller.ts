import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  type OpenAiChatRequest,
  openAiChatRequestSchema,
  type OpenAiModelList,
  ZodPipe,
} from '@tenantbot/contracts';

import { Roles } from '../auth/decorators';
import { CHATTERS } from '../chat/chat-event-stream';
import { openApiSchema } from '../http/openapi-schema';
import { OpenAiService, unixSeconds } from './openai.service';
import { OpenAiEventStream } from './openai-event-stream';
import { completionIdOf } from './openai-translation';

@ApiTags('openai-compatible')
@ApiBearerAuth()
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly openAi: OpenAiService,
    private readonly events: OpenAiEventStream,
  ) {}

  @Post('chat/completions')
  @Roles(...CHATTERS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible chat completion, grounded in the tenant’s documents',
    description:
      'OpenAI’s request and response: `model` (a model the tenant may use, by id or alias), ' +
      '`messages` (the last is the user’s question; earlier user and assistant messages are the ' +
      'history; system messages are ignored, the tenant’s system prompt applies), `temperature`, ' +
      '`max_tokens`/`max_completion_tokens`, `stream` with `stream_options.include_usage`, `user`. ' +
      'Extensions: `use_rag: false` answers without the tenant’s documents; the response (and ' +
      'the last streamed chunk) carries `sources` and `conversation_id`. Authenticate with a ' +
      'tenant API key as Bearer; `X-Tenant-ID` is optional and must name the key’s tenant. ' +
      'Errors have OpenAI’s shape `{error: {message, type, code, param}}`. Same limits, budgets ' +
      'and usage records as `POST /api/v1/chat/`.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: openApiSchema(openAiChatRequestSchema) })
  async completions(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(new ZodPipe(openAiChatRequestSchema)) body: OpenAiChatRequest,
  ): Promise<void> {
    const caller = request.requestContext;
    if (!body.stream) {
      await reply.send(await this.openAi.complete(caller, body));
      return;
    }
    const events = await this.openAi.stream(caller, body);
    this.events.send(request, reply, events, {
      frame: {
        id: completionIdOf({ request_id: caller.requestId }),
        created: unixSeconds(),
        model: body.model,
      },
      includeUsage: body.stream_options?.include_usage === true,
    });
  }

  @Get('models')
  @ApiOperation({ summary: 'OpenAI-compatible list of the models this tenant may use' })
  models(@Req() request: FastifyRequest): Promise<OpenAiModelList> {
    return this.openAi.models(request.requestContext);
  }
}
