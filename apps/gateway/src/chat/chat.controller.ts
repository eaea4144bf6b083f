import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  CHAT,
  type ChatRequest,
  chatRequestSchema,
  chatResponseSchema,
  type ConversationListRequest,
  conversationListRequestSchema,
  type ConversationRef,
  conversationRefSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { openApiSchema } from '../http/openapi-schema';
import { IdempotentRequests, REPLAYED_HEADER } from '../idempotency/idempotent-requests';
import { VisitorChat } from '../web-channel/visitor-chat';
import { VisitorAllowed } from '../web-channel/visitor-route';
import { ChatService } from './chat.service';
import { ChatEventStream, CHATTERS } from './chat-event-stream';
import { replayedAnswer, storingAnswer } from './idempotent-chat';

const CHAT_ROUTE = 'POST /api/v1/chat/';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly chat: ChatService,
    private readonly events: ChatEventStream,
    private readonly visitorChat: VisitorChat,
    private readonly idempotency: IdempotentRequests,
  ) {}

  @Post()
  @Roles(...CHATTERS)
  @VisitorAllowed()
  @HttpCode(200)
  @ApiOperation({
    summary: "Ask the tenant's assistant; grounded in its documents, with sources",
    description:
      'With `stream: true` or `Accept: text/event-stream` the answer comes as Server-Sent Events: ' +
      '`event: delta` (`{type, content}`) as the model writes, then one `event: done` carrying every field ' +
      'of the JSON answer; a failure ends the stream with `event: error` (`{code, message}`). Closing the ' +
      'connection stops the model. An open stream re-checks its caller every few seconds ' +
      '(`OPEN_STREAM_RECHECK_MS`): a deactivated user or tenant, a revoked API key or an expired ' +
      'access token ends it with `event: error` (`UNAUTHORIZED`, `TENANT_INACTIVE`, …). ' +
      'A widget visitor (visitor token) chats in its own conversations only, ' +
      "within the widget's message limits (429 RATE_LIMITED), with the tenant's model and settings. " +
      'With an `Idempotency-Key` header, the same key and body within 24 h answer the first answer ' +
      '(header `Idempotent-Replayed: true`) and store nothing new; another body with the key: 409 ' +
      '`IDEMPOTENCY_KEY_REUSED`; while the first still runs, a duplicate waits for it.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: openApiSchema(chatRequestSchema) })
  async ask(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(new ZodPipe(chatRequestSchema)) requested: ChatRequest,
  ): Promise<void> {
    const caller = request.requestContext;
    const accept = String(request.headers.accept ?? '');
    const streamed = requested.stream === true || accept.includes('text/event-stream');
    const key = this.idempotency.keyOf(request);
    const claim = await this.idempotency.begin(caller, CHAT_ROUTE, key, requested);
    if ('replay' in claim) {
      const answer = chatResponseSchema.parse(claim.replay);
      void reply.header(REPLAYED_HEADER, 'true');
      if (streamed) {
        return this.events.send(request, reply, replayedAnswer(answer));
      }
      return void (await reply.send(answer));
    }
    let body: ChatRequest;
    try {
      body = request.visitorWidget
        ? await this.visitorChat.admit(
            caller.principal ?? { role: 'visitor' },
            request.visitorWidget,
            requested,
          )
        : requested;
    } catch (error) {
      await claim.release();
      throw error;
    }
    if (streamed) {
      return this.events.send(request, reply, storingAnswer(claim, this.chat.stream(caller, body)));
    }
    const answer = await this.chat.answer(caller, body).catch(async (error: unknown) => {
      await claim.release();
      throw error;
    });
    await claim.complete(answer);
    await reply.send(answer);
  }

  @Get('models')
  @ApiOperation({
    summary: 'The models this tenant may use, with provider, context window and prices',
  })
  models() {
    return this.transport.request(CHAT.MODELS, {});
  }

  @Get('conversations')
  @VisitorAllowed()
  @ApiOperation({
    summary: "The caller's conversations; `scope=tenant` lists the tenant's (tenant admin, agent)",
  })
  conversations(@Query(new ZodPipe(conversationListRequestSchema)) query: ConversationListRequest) {
    return this.transport.request(CHAT.CONVERSATIONS_LIST, query);
  }

  @Get('conversations/:id')
  @VisitorAllowed()
  @ApiOperation({
    summary: 'A conversation with its messages in order, sources, models, tokens and cost',
  })
  conversation(@Param(new ZodPipe(conversationRefSchema)) params: ConversationRef) {
    return this.transport.request(CHAT.CONVERSATIONS_GET, params);
  }

  @Delete('conversations/:id')
  @Roles(...CHATTERS)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  async deleteConversation(
    @Param(new ZodPipe(conversationRefSchema)) params: ConversationRef,
  ): Promise<void> {
    await this.transport.request(CHAT.CONVERSATIONS_DELETE, params);
  }
}
