import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  chatResponseSchema,
  MAX_EMBED_INPUTS,
  openAiChatChunkSchema,
  openAiChatCompletionSchema,
  type OpenAiChatRequest,
  openAiChatRequestSchema,
  type OpenAiEmbeddingList,
  openAiEmbeddingListSchema,
  type OpenAiEmbeddingRequest,
  openAiEmbeddingRequestSchema,
  openAiErrorBodySchema,
  type OpenAiModelList,
  openAiModelListSchema,
  ZodPipe,
} from '@tenantbot/contracts';

import { Roles } from '../auth/decorators';
import { CHATTERS } from '../chat/chat-event-stream';
import { replayedAnswer, storingAnswer } from '../chat/idempotent-chat';
import { IdempotentRequests, REPLAYED_HEADER } from '../idempotency/idempotent-requests';
import { ApiReply } from '../openapi/api-contract';
import { OpenAiService, unixSeconds } from './openai.service';
import { OpenAiEventStream } from './openai-event-stream';
import { completionIdOf, toCompletion } from './openai-translation';

const COMPLETIONS_ROUTE = 'POST /v1/chat/completions';

/** Errors under /v1/ have OpenAI's shape, whatever their status. */
function OpenAiErrorReplies(): MethodDecorator {
  const statuses = [400, 401, 403, 404, 409, 429, 500];
  return (target, property, descriptor) => {
    for (const status of statuses) {
      ApiReply(openAiErrorBodySchema, { status, description: 'OpenAI’s error shape' })(
        target,
        property,
        descriptor,
      );
    }
    return descriptor;
  };
}

@ApiTags('openai-compatible')
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly openAi: OpenAiService,
    private readonly events: OpenAiEventStream,
    private readonly idempotency: IdempotentRequests,
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
      'and usage records as `POST /api/v1/chat/`, and the same `Idempotency-Key` handling.',
  })
  @ApiReply(openAiChatCompletionSchema)
  @ApiReply(openAiChatChunkSchema, {
    mediaTypes: ['text/event-stream'],
    description: 'With `stream: true`: `data: <chunk>` events, then `data: [DONE]`',
  })
  @OpenAiErrorReplies()
  async completions(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(new ZodPipe(openAiChatRequestSchema)) body: OpenAiChatRequest,
  ): Promise<void> {
    const caller = request.requestContext;
    const created = unixSeconds();
    const key = this.idempotency.keyOf(request);
    if (!body.stream) {
      const { result, replayed } = await this.idempotency.run(
        caller,
        COMPLETIONS_ROUTE,
        { key, fingerprint: body, result: chatResponseSchema },
        () => this.openAi.answer(caller, body),
      );
      if (replayed) {
        void reply.header(REPLAYED_HEADER, 'true');
      }
      await reply.send(toCompletion(result, created));
      return;
    }
    const claim = await this.idempotency.begin(caller, COMPLETIONS_ROUTE, key, body);
    const includeUsage = body.stream_options?.include_usage === true;
    if ('replay' in claim) {
      const answer = chatResponseSchema.parse(claim.replay);
      void reply.header(REPLAYED_HEADER, 'true');
      this.events.send(request, reply, replayedAnswer(answer), {
        frame: { id: completionIdOf(answer), created, model: answer.model_used },
        includeUsage,
      });
      return;
    }
    const events = await this.openAi.stream(caller, body).catch(async (error: unknown) => {
      await claim.release();
      throw error;
    });
    this.events.send(request, reply, storingAnswer(claim, events), {
      frame: { id: completionIdOf({ request_id: caller.requestId }), created, model: body.model },
      includeUsage,
    });
  }

  @Post('embeddings')
  @Roles(...CHATTERS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible embeddings, with the tenant’s embedding model',
    description:
      'OpenAI’s request and response (`input` a string or an array of strings, at most ' +
      `${MAX_EMBED_INPUTS}; \`encoding_format\` \`float\` or \`base64\`). Whatever \`model\` says, the ` +
      'tenant’s embedding model answers — the one its documents are indexed with — and the ' +
      'response names it.',
  })
  @ApiReply(openAiEmbeddingListSchema)
  @OpenAiErrorReplies()
  embeddings(
    @Req() request: FastifyRequest,
    @Body(new ZodPipe(openAiEmbeddingRequestSchema)) body: OpenAiEmbeddingRequest,
  ): Promise<OpenAiEmbeddingList> {
    return this.openAi.embeddings(request.requestContext, body, request.tenantRag);
  }

  @Get('models')
  @ApiOperation({ summary: 'OpenAI-compatible list of the models this tenant may use' })
  @ApiReply(openAiModelListSchema)
  @OpenAiErrorReplies()
  models(@Req() request: FastifyRequest): Promise<OpenAiModelList> {
    return this.openAi.models(request.requestContext);
  }
}
