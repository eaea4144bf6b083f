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
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  CHAT,
  type ChatRequest,
  chatRequestSchema,
  chatResponseSchema,
  chatStreamEventSchema,
  conversationDetailSchema,
  type ConversationListRequest,
  conversationListRequestSchema,
  conversationPageSchema,
  type ConversationRef,
  conversationRefSchema,
  ErrorCode,
  modelsReplySchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { VisitorChat } from '../web-channel/visitor-chat';
import { VisitorAllowed } from '../web-channel/visitor-route';
import { ChatService } from './chat.service';
import { ChatEventStream, CHATTERS } from './chat-event-stream';

const CHAT_EXAMPLE = {
  response: 'You may return an item within 30 days of delivery for a full refund [1].',
  conversation_id: '6f1c2a4e-8d3b-4c1a-9f0e-2b7d5a9c3e11',
  model_used: 'gpt-4o-mini',
  tokens_used: { input: 412, output: 23, total: 435 },
  total_tokens: 435,
  latency_ms: 820,
  cost_usd: 0.000076,
  request_id: 'req_01J9Z6T3K2',
  sources: [
    {
      document_id: '0b8e7f52-3c1d-4a6e-9b2f-5d4c3a2b1e00',
      filename: 'refund-policy.md',
      page: null,
      chunk_index: 0,
      score: 0.0325,
      text: 'Customers may return any item within 30 days of delivery for a full refund.',
    },
  ],
  grounded: true,
};

@ApiTags('chat')
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly chat: ChatService,
    private readonly events: ChatEventStream,
    private readonly visitorChat: VisitorChat,
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
      '`assistant_id` picks the assistant (its prompt, model, temperature, knowledge; default: the ' +
      "conversation's, else the tenant's default) and the answer names it; 403 ASSISTANT_FORBIDDEN " +
      'for one the caller may not use, 404 ASSISTANT_NOT_FOUND for an id the tenant does not have.',
  })
  @ApiInput({ example: { message: 'How long do I have to return an item?' } })
  @ApiReply(chatResponseSchema, { example: CHAT_EXAMPLE })
  @ApiReply(chatStreamEventSchema, {
    mediaTypes: ['text/event-stream'],
    description:
      'With `stream: true` or `Accept: text/event-stream`: Server-Sent Events, each `data` one of these',
  })
  @ApiErrors(
    ErrorCode.MODEL_NOT_ALLOWED,
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.BUDGET_EXCEEDED,
    ErrorCode.PROVIDER_ERROR,
  )
  async ask(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(new ZodPipe(chatRequestSchema)) requested: ChatRequest,
  ): Promise<void> {
    const caller = request.requestContext;
    const body = request.visitorWidget
      ? await this.visitorChat.admit(
          caller.principal ?? { role: 'visitor' },
          request.visitorWidget,
          requested,
        )
      : requested;
    const accept = String(request.headers.accept ?? '');
    if (body.stream || accept.includes('text/event-stream')) {
      return this.events.send(caller, request, reply, body);
    }
    await reply.send(await this.chat.answer(caller, body));
  }

  @Get('models')
  @ApiOperation({
    summary: 'The models this tenant may use, with provider, context window and prices',
  })
  @ApiReply(modelsReplySchema)
  models() {
    return this.transport.request(CHAT.MODELS, {});
  }

  @Get('conversations')
  @VisitorAllowed()
  @ApiOperation({
    summary: "The caller's conversations; `scope=tenant` lists the tenant's (tenant admin, agent)",
  })
  @ApiReply(conversationPageSchema)
  conversations(@Query(new ZodPipe(conversationListRequestSchema)) query: ConversationListRequest) {
    return this.transport.request(CHAT.CONVERSATIONS_LIST, query);
  }

  @Get('conversations/:id')
  @VisitorAllowed()
  @ApiOperation({
    summary: 'A conversation with its messages in order, sources, models, tokens and cost',
  })
  @ApiReply(conversationDetailSchema)
  @ApiErrors(ErrorCode.CONVERSATION_NOT_FOUND)
  conversation(@Param(new ZodPipe(conversationRefSchema)) params: ConversationRef) {
    return this.transport.request(CHAT.CONVERSATIONS_GET, params);
  }

  @Delete('conversations/:id')
  @Roles(...CHATTERS)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  @ApiReply()
  @ApiErrors(ErrorCode.CONVERSATION_NOT_FOUND)
  async deleteConversation(
    @Param(new ZodPipe(conversationRefSchema)) params: ConversationRef,
  ): Promise<void> {
    await this.transport.request(CHAT.CONVERSATIONS_DELETE, params);
  }
}
